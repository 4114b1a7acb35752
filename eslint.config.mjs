// Lint for the whole workspace. The module-boundary rule is what keeps the architecture honest:
// codec depends on nothing, discovery and channel-core only on codec, apps and tools on packages,
// and nothing on an app. A forbidden import fails `npm test`.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import rxjsX from 'eslint-plugin-rxjs-x';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/*.config.ts', '**/*.config.mjs', 'vitest.shared.ts', '**/.nx/**'],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'rxjs-x': rxjsX },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:codec', onlyDependOnLibsWithTags: [], bannedExternalImports: ['rxjs', 'rxjs/*'] },
            { sourceTag: 'type:io', onlyDependOnLibsWithTags: ['type:codec'] },
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:codec'] },
            { sourceTag: 'type:kit', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:transport', onlyDependOnLibsWithTags: ['type:codec', 'type:kit'] },
            { sourceTag: 'type:host', onlyDependOnLibsWithTags: ['type:codec', 'type:core', 'type:transport', 'type:kit'] },
            { sourceTag: 'type:member', onlyDependOnLibsWithTags: ['type:codec', 'type:core', 'type:transport', 'type:kit'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:codec', 'type:io', 'type:core', 'type:kit', 'type:transport', 'type:host', 'type:member'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:codec', 'type:io', 'type:core', 'type:kit', 'type:transport', 'type:host', 'type:member'] },
          ],
        },
      ],
      'rxjs-x/no-unsafe-takeuntil': 'error',
      'rxjs-x/no-nested-subscribe': 'error',
      'rxjs-x/no-ignored-subscription': 'off',
      'rxjs-x/no-subject-unsubscribe': 'error',
      'rxjs-x/no-unbound-methods': 'error',
      'rxjs-x/no-create': 'error',
      'rxjs-x/no-internal': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    // Pure packages: no Node built-ins, so they run (and test) anywhere and never touch I/O.
    files: ['packages/codec/**/*.ts', 'packages/channel-core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'codec and channel-core are pure: no Node built-ins.' }] }],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'Use Uint8Array.' }, { name: 'setTimeout', message: 'Time comes from the injected scheduler.' }, { name: 'setInterval', message: 'Time comes from the injected scheduler.' }],
    },
  },
  {
    files: ['packages/codec/**/*.ts', 'packages/channel-core/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'Time comes from the injected scheduler.' }],
    },
  },
);
