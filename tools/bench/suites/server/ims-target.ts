/**
 * The built ims channel server as the server and secure suites run it: persistence on and limits
 * opened up for a load test (one load generator on one address is the whole load).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTarget, type Target } from './proc.js';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** The built server, as users deploy it (`npm run bench` builds it first: tools/package.json). */
export const SERVER_MAIN = join(ROOT, 'apps/channel-server/dist/main.js');

/** Flags for the ims server only from IMS_BENCH_SERVER_ARGS, e.g. `--workers 2` (default: none). */
export function benchServerArgs(): string[] {
  return (process.env['IMS_BENCH_SERVER_ARGS'] ?? '').split(/\s+/).filter((a) => a !== '');
}

/** Start the built server on `dataDir` with the load-test flags plus `extra`, named `name` in reports. */
export function startIms(dataDir: string, extra: readonly string[] = [], name = 'ims'): Promise<Target> {
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run \`npx nx run @ims/channel-server:build\` first`);
  const flags = [
    ...['--port', '0', '--data-dir', dataDir, '--log-level', 'warn', '--http-port', '0'],
    // A private discovery port keeps the benchmark's announcements away from running peers.
    ...['--discovery-port', String(41_000 + Math.floor(Math.random() * 8_000))],
    ...['--max-connections', '20000', '--max-connections-per-ip', '20000'],
    ...['--flood-rate', '1000000', '--flood-burst', '1000000', '--send-queue-bytes', '64MiB'],
    // The fairness budgets too (per address, per channel): here one channel and one address are the whole load.
    ...['--flood-rate-per-ip', '1000000', '--flood-burst-per-ip', '1000000', '--connection-rate-per-ip', '1000000', '--connection-burst-per-ip', '1000000'],
    ...['--fanout-rate-per-channel', '1000000000', '--fanout-burst-per-channel', '1000000000'],
    ...benchServerArgs(),
    ...extra,
  ];
  return startTarget(name, [SERVER_MAIN, ...flags], ROOT);
}
