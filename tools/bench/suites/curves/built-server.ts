/**
 * The built channel server as the curves run it: `node <dist>/main.js` with SQLite history on and
 * every limit that would cap a capacity measurement raised (listed in {@link RAISED_LIMITS}, which
 * the suite prints).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTarget, type Target } from '../server/proc.js';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
/** Where the channel server's build lives (`npx nx run @ims/channel-server:build`); the one place to change if it moves. */
export const SERVER_DIST = join(ROOT, 'apps/channel-server/dist');
/** The built server's entry point. */
export const SERVER_MAIN = join(SERVER_DIST, 'main.js');
/** The built history store module, used to fill a data dir before the server starts. */
export const HISTORY_STORE_MODULE = join(SERVER_DIST, 'history/sqlite-history-store.js');

/** The limits raised above their defaults, flag → value: a capacity curve must not hit a fairness budget first. */
export const RAISED_LIMITS: Readonly<Record<string, string>> = {
  '--max-connections': '40000',
  '--max-connections-per-ip': '40000',
  '--max-channels': '20000',
  '--max-members-per-channel': '20000',
  '--flood-rate': '1000000',
  '--flood-burst': '1000000',
  '--flood-rate-per-ip': '1000000',
  '--flood-burst-per-ip': '1000000',
  '--connection-rate-per-ip': '1000000',
  '--connection-burst-per-ip': '1000000',
  '--channel-creation-burst': '0',
  '--fanout-rate-per-channel': '1000000000',
  '--fanout-burst-per-channel': '1000000000',
  // A 1 M-post replay is one write of ~60 MB to the joiner (history-frames.ts in host-service).
  '--send-queue-bytes': '1GiB',
  '--idle-timeout': '0',
};

/** The raised limits as one line, for the suite's header. */
export function raisedLimitsLine(): string {
  return Object.entries(RAISED_LIMITS)
    .map(([flag, value]) => `${flag} ${value}`)
    .join(', ');
}

/** Why the built server cannot run, or undefined when it can. */
export function missingBuild(): string | undefined {
  return existsSync(SERVER_MAIN) && existsSync(HISTORY_STORE_MODULE)
    ? undefined
    : `${SERVER_MAIN} is missing: run \`npx nx run @ims/channel-server:build\` first`;
}

/** Start the built server on `dataDir` with the raised limits plus `extra` flags; resolves at its `listening` line. */
export function startBuiltServer(dataDir: string, extra: readonly string[] = [], timeoutMs = 120_000): Promise<Target> {
  const flags = [
    ...['--port', '0', '--data-dir', dataDir, '--log-level', 'warn', '--http-port', '0'],
    // A private discovery port keeps the benchmark's announcements away from running peers.
    ...['--discovery-port', String(41_000 + Math.floor(Math.random() * 8_000))],
    ...Object.entries(RAISED_LIMITS).flat(),
    ...extra,
  ];
  return startTarget('ims', [SERVER_MAIN, ...flags], ROOT, timeoutMs);
}
