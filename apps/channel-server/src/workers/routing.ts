/**
 * Which worker serves a new connection (README "Workers"): a channel and all its connections live
 * in one worker. A JOIN goes to its channel's home worker, a stable hash of its name; anything else
 * (a first frame that is not a JOIN, a bad one, none before the wait ended) goes to worker 0,
 * which answers as docs/protocol.md §2 and §6 say, and refuses a later JOIN there for a channel at
 * home elsewhere (worker-host.ts). So a channel only ever lives in its home worker. Pure.
 */
import type { ClientCommand, Decoded } from '@ims/codec';

/** The worker that answers connections whose first frame names no channel. */
export const FALLBACK_WORKER = 0;

/** FNV-1a (32 bit) over the name's UTF-16 code units: stable across processes, restarts and builds. */
export function channelHash(channel: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < channel.length; i++) {
    h ^= channel.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The worker (0..workers-1) a channel belongs to when no worker hosts it yet. */
export function homeWorker(channel: string, workers: number): number {
  return channelHash(channel) % workers;
}

/** The worker for a connection whose first frame is `first`. */
export function routeConnection(first: Decoded<ClientCommand> | undefined, workers: number): number {
  if (first === undefined || !first.ok || first.value.cmd !== 'JOIN') return FALLBACK_WORKER;
  return homeWorker(first.value.channel, workers);
}
