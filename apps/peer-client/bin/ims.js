#!/usr/bin/env node
// `ims` inside the repository (npm links workspace bins into node_modules/.bin, so `npx ims`):
// the compiled app of `npm run build`, never tsx. Installed elsewhere, `ims` is the bundle in
// dist/deploy/peer-client/ (docs/deploying.md).
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('ims: apps/peer-client is not built: run `npm run build` first\n');
  process.exit(1);
}
await import(main.href);
