/**
 * `npm run bundle` in an app (`tsx ../../tools/deploy/bundle-app.ts <bin> [name=src/file.ts ...] [copy:src/file ...]`):
 * bundles the app's `src/main.ts` (and any other entry named, such as a forked worker's) with the
 * workspace packages it uses into one ES module each, and writes the app's
 * deployable folder `dist/deploy/<app>/` at the repository root: `main.js` (the command), a
 * package.json with only the npm packages the bundle still imports (better-sqlite3 is native and
 * cannot be bundled; the others are kept as dependencies so npm installs, audits and dedupes them),
 * README.md and LICENSE. It runs on a machine with Node and nothing else: no tsx, no build of the
 * workspace packages (they are read from their sources through the `@ims/source` condition).
 */
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { deployManifest, runtimeDependencies, type WorkspaceManifest } from './manifest.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every bare import outside the workspace stays an import, to be installed by npm. */
const externalNpm: Plugin = {
  name: 'external-npm',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@ims/') ? undefined : { path: args.path, external: true }));
  },
};

async function readManifest(file: string): Promise<WorkspaceManifest> {
  return JSON.parse(await readFile(file, 'utf8')) as WorkspaceManifest;
}

/** The package.json of every workspace package whose sources went into the bundle. */
async function bundledManifests(inputs: readonly string[]): Promise<WorkspaceManifest[]> {
  const roots = new Set(inputs.flatMap((i) => /^((?:packages|apps)\/[^/]+)\//.exec(i)?.[1] ?? []));
  return Promise.all([...roots].map((r) => readManifest(join(ROOT, r, 'package.json'))));
}

/** `copy:src/file` arguments: files shipped as they are, beside main.js (a helper script). */
function copies(args: readonly string[]): string[] {
  return args.flatMap((a) => {
    const m = /^copy:(src\/[\w./-]+)$/.exec(a);
    return m?.[1] === undefined ? [] : [m[1]];
  });
}

/** `name=src/file.ts` arguments: more entry points (a forked worker), each bundled to `<name>.js`. */
function extraEntries(args: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    args.filter((a) => !a.startsWith('copy:')).map((a) => {
      const m = /^([a-z][a-z0-9-]*)=(src\/[\w./-]+\.ts)$/.exec(a);
      if (m?.[1] === undefined || m[2] === undefined || m[1] === 'main') throw new Error(`bad entry ${a}: expected name=src/file.ts`);
      return [m[1], m[2]];
    }),
  );
}

async function main(): Promise<void> {
  const [bin, ...rest] = process.argv.slice(2);
  if (bin === undefined || !/^[a-z][a-z0-9-]*$/.test(bin)) throw new Error('usage: bundle-app.ts <bin-name> [name=src/file.ts ...] (run in the app folder)');
  const appDir = process.cwd();
  const entries = { main: 'src/main.ts', ...extraEntries(rest) };
  const outDir = join(ROOT, 'dist/deploy', basename(appDir));
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  // esbuild keeps an entry's own hashbang; the others get one so main.js runs as a command.
  const hasHashbang = (await readFile(join(appDir, entries.main), 'utf8')).startsWith('#!');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, join(appDir, file)])),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@ims/source'],
    plugins: [externalNpm],
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    ...(hasHashbang ? {} : { banner: { js: '#!/usr/bin/env node' } }),
  });
  const outputs = Object.values(result.metafile.outputs);
  const externals = outputs.flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  const [app, root] = await Promise.all([readManifest(join(appDir, 'package.json')), readManifest(join(ROOT, 'package.json'))]);
  const manifests = await bundledManifests(Object.keys(result.metafile.inputs));
  const extraJs = Object.keys(entries)
    .filter((n) => n !== 'main')
    .map((n) => `${n}.js`);
  const shipped = copies(rest);
  for (const file of shipped) await copyFile(join(appDir, file), join(outDir, basename(file)));
  const manifest = deployManifest({
    app,
    root,
    bin,
    dependencies: runtimeDependencies(externals, [app, ...manifests]),
    extraFiles: [...extraJs, ...shipped.map((f) => basename(f)), 'README.md', 'LICENSE'],
  });
  await writeFile(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await chmod(join(outDir, 'main.js'), 0o755);
  await copyFile(join(appDir, 'README.md'), join(outDir, 'README.md'));
  await copyFile(join(ROOT, 'LICENSE'), join(outDir, 'LICENSE'));
  const size = Math.round(outputs.reduce((n, o) => n + o.bytes, 0) / 1024);
  const files = ['main.js', ...extraJs].join(', ');
  process.stdout.write(`${relative(ROOT, outDir)}/: ${bin} → ${files} (${size} KiB), runtime dependencies: ${Object.keys(manifest.dependencies).join(', ') || 'none'}\n`);
}

await main();
