#!/usr/bin/env node
// `ims-server` inside the repository (npm links workspace bins into node_modules/.bin, so `npx ims-server`):
// the compiled app of `npm run build`, never tsx. Installed elsewhere, `ims-server` is the bundle in
// dist/deploy/channel-server/ (docs/deploying.md).
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('ims-server: apps/channel-server is not built: run `npm run build` first\n');
  process.exit(1);
}
await import(main.href);
