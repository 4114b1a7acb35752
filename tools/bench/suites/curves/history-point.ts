/**
 * The history curve's measurement: fill a fresh data dir, start the built server on it (start-up =
 * spawn to its `listening` line, Node's own start included), then JOIN one filled channel twice and
 * time each from connect to the last history SAY of the replay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { joinClient } from '../server/load-client.js';
import { rssBytes, stopTarget, type Target } from '../server/proc.js';
import { startBuiltServer } from './built-server.js';
import { filledChannel, fillHistory } from './history-fill.js';
import type { HistoryPoint } from './points.js';

/** What one history point measured (join figures NaN for the empty baseline). */
export interface HistoryPointResult {
  readonly fillSeconds: number;
  readonly startupMs: number;
  readonly rssAfterStartBytes: number;
  /** Connect + JOIN to the last SAY of the replay, first member of the channel (its history encoded then). */
  readonly firstJoinMs: number;
  /** The same for a second member right after. */
  readonly secondJoinMs: number;
  readonly rssAfterJoinBytes: number;
}

/** Connect, JOIN `channel`, resolve with the ms until `posts` SAYs have arrived; the client is closed after. */
async function timeJoin(port: number, channel: string, id: string, posts: number, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  const client = await joinClient(port, channel, id);
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`join of ${channel}: ${client.says} of ${posts} history posts after ${timeoutMs} ms`)), timeoutMs);
      const check = (): void => {
        if (client.says < posts) return;
        clearTimeout(timer);
        resolve(performance.now() - t0);
      };
      client.onSay = check;
      check();
    });
  } finally {
    client.close();
  }
}

/** Run one history point (`undefined`: the empty data dir baseline); `own` registers the server so an over-budget point can be stopped. */
export async function runHistoryPoint(p: HistoryPoint | undefined, own: (t: Target) => void, deadline: number): Promise<HistoryPointResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ims-curves-'));
  let target: Target | undefined;
  try {
    const fillSeconds = p ? await fillHistory(dir, p.channels, p.perChannel) : 0;
    const t0 = performance.now();
    target = await startBuiltServer(dir, p ? ['--history-per-channel', String(p.perChannel)] : []);
    own(target);
    const startupMs = performance.now() - t0;
    const pid = target.child.pid as number;
    const rssAfterStartBytes = rssBytes(pid);
    if (!p) return { fillSeconds, startupMs, rssAfterStartBytes, firstJoinMs: Number.NaN, secondJoinMs: Number.NaN, rssAfterJoinBytes: Number.NaN };
    const wait = (): number => Math.max(1_000, deadline - performance.now());
    const firstJoinMs = await timeJoin(target.port, filledChannel(0), 'bench-join-1', p.perChannel, wait());
    const secondJoinMs = await timeJoin(target.port, filledChannel(0), 'bench-join-2', p.perChannel, wait());
    return { fillSeconds, startupMs, rssAfterStartBytes, firstJoinMs, secondJoinMs, rssAfterJoinBytes: rssBytes(pid) };
  } finally {
    if (target) await stopTarget(target);
    rmSync(dir, { recursive: true, force: true });
  }
}
