import { describe, expect, it } from 'vitest';
import { deployManifest, ManifestError, packageNameOf, runtimeDependencies } from './manifest.js';

describe('packageNameOf', () => {
  it('names the package of bare, deep and scoped specifiers, and nothing for built-ins and paths', () => {
    expect(packageNameOf('rxjs')).toBe('rxjs');
    expect(packageNameOf('rxjs/operators')).toBe('rxjs');
    expect(packageNameOf('@scope/x/y')).toBe('@scope/x');
    expect(packageNameOf('node:fs')).toBeUndefined();
    expect(packageNameOf('./a.js')).toBeUndefined();
  });
});

describe('runtimeDependencies', () => {
  const app = { name: '@ims/channel-server', dependencies: { 'better-sqlite3': '^12.11.1', rxjs: '~7.8.2', '@ims/codec': '*' } };
  const transport = { name: '@ims/transport', dependencies: { rxjs: '~7.8.2', commander: '~14.0.3' } };

  it('lists each imported package once, with the range its manifests declare, sorted', () => {
    expect(runtimeDependencies(['rxjs', 'node:net', 'better-sqlite3', 'rxjs/operators', 'commander'], [app, transport])).toEqual({
      'better-sqlite3': '^12.11.1',
      commander: '~14.0.3',
      rxjs: '~7.8.2',
    });
  });

  it('refuses an import nobody declares, conflicting ranges, and a workspace package left external', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof ManifestError ? e.code : 'other';
      }
      return undefined;
    };
    expect(code(() => runtimeDependencies(['yaml'], [app]))).toBe('UNDECLARED_DEPENDENCY');
    expect(code(() => runtimeDependencies(['rxjs'], [app, { name: 'x', dependencies: { rxjs: '^7.0.0' } }]))).toBe('RANGE_CONFLICT');
    expect(code(() => runtimeDependencies(['@ims/codec'], [app]))).toBe('WORKSPACE_EXTERNAL');
  });
});

describe('deployManifest', () => {
  it('has one bin on the bundle, the files shipped, and falls back to the root for license and engines', () => {
    const m = deployManifest({
      app: { name: '@ims/peer-client', version: '0.1.0' },
      root: { name: 'ims', license: 'MIT', engines: { node: '>=20.19' } },
      bin: 'ims',
      dependencies: { rxjs: '~7.8.2' },
    });
    expect(m).toMatchObject({ name: '@ims/peer-client', version: '0.1.0', license: 'MIT', bin: { ims: './main.js' }, engines: { node: '>=20.19' }, private: true });
    expect(m.files).toEqual(['main.js', 'README.md', 'LICENSE']);
  });
});
