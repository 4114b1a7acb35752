// Shared vitest settings: every project resolves sibling workspace packages to their TypeScript
// sources through the "@ims/source" export condition, so tests never need a prior build.
import { defineConfig } from 'vitest/config';

/** Unit tests: `*.spec.ts` beside the code, no sockets, no child processes. */
export function unitConfig() {
  return defineConfig({
    resolve: { conditions: ['@ims/source', 'import', 'module', 'node', 'default'] },
    ssr: { resolve: { conditions: ['@ims/source', 'import', 'node', 'default'] } },
    test: {
      include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
      exclude: ['**/*.int.spec.ts', '**/node_modules/**'],
      passWithNoTests: true,
      testTimeout: 20_000,
    },
  });
}

/** Integration tests: `*.int.spec.ts`, real loopback sockets and child processes. */
export function intConfig() {
  return defineConfig({
    resolve: { conditions: ['@ims/source', 'import', 'module', 'node', 'default'] },
    ssr: { resolve: { conditions: ['@ims/source', 'import', 'node', 'default'] } },
    test: {
      include: ['src/**/*.int.spec.ts', 'test/**/*.int.spec.ts'],
      passWithNoTests: true,
      testTimeout: 60_000,
      hookTimeout: 60_000,
      // Child processes and sockets: one file at a time keeps 2 cores honest.
      fileParallelism: false,
    },
  });
}
