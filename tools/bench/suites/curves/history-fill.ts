/**
 * Fill a data dir with stored posts before the server starts, through the channel server's own
 * built history store (so the file is exactly what the server writes), not by posting over TCP:
 * a million posts through the wire would take minutes and measure the post path, not the history.
 */
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { HISTORY_STORE_MODULE } from './built-server.js';

/** The part of the built `SqliteHistoryStore` the fill uses (the module is loaded at run time from the build). */
interface FillStore {
  append(channel: string, post: { authorId: string; text: string; at: number }): void;
  commit(): { ok: boolean };
  /** Moves what the commits journaled into SQLite (the server does it every few hundred ms). */
  importNow(): boolean;
  closeNow(): void;
}

type FillStoreClass = new (options: { dataDir: string; retainPerChannel: number; maxChannels: number; checkpointIntervalMs: number }) => FillStore;

/** Name of the `c`-th channel of a filled history. */
export function filledChannel(c: number): string {
  return `#hist-${c}`;
}

/** Posts appended per commit (and import). */
const BATCH = 20_000;

/**
 * Write `channels` × `perChannel` posts into `dataDir` (~60-byte texts, 50 authors, one post a
 * second back from now), channel by channel; returns the seconds it took.
 */
export async function fillHistory(dataDir: string, channels: number, perChannel: number): Promise<number> {
  const mod = (await import(pathToFileURL(HISTORY_STORE_MODULE).href)) as { SqliteHistoryStore: FillStoreClass };
  const t0 = performance.now();
  const store = new mod.SqliteHistoryStore({ dataDir, retainPerChannel: perChannel, maxChannels: Math.max(channels, 10_000), checkpointIntervalMs: 0 });
  try {
    const total = channels * perChannel;
    const start = Date.now() - total * 1000;
    let queued = 0;
    for (let c = 0; c < channels; c++) {
      const channel = filledChannel(c);
      for (let i = 0; i < perChannel; i++) {
        const n = c * perChannel + i;
        store.append(channel, { authorId: `user-${n % 50}`, text: `stored post ${n}: the quick brown fox jumps over the lazy dog`, at: start + n * 1000 });
        if (++queued % BATCH === 0 && !(store.commit().ok && store.importNow())) throw new Error(`history fill: commit failed after ${queued} posts`);
      }
    }
    if (!store.commit().ok) throw new Error('history fill: last commit failed');
  } finally {
    store.closeNow();
  }
  return (performance.now() - t0) / 1000;
}
