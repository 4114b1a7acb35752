#!/usr/bin/env node
// `ims-netsim` inside the repository (npm links workspace bins into node_modules/.bin, so `npx ims-netsim`):
// the compiled app of `npm run build`, never tsx. Installed elsewhere, `ims-netsim` is the bundle in
// dist/deploy/netsim/ (docs/deploying.md).
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('ims-netsim: apps/netsim is not built: run `npm run build` first\n');
  process.exit(1);
}
await import(main.href);
