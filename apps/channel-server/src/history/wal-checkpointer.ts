/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that
 * crosses the threshold, so every few batches one commit also copied the WAL into the database
 * file (and fsynced it): 5–10 ms with the event loop blocked, which was the fan-out's p99. A worker
 * thread with its own connection checkpoints instead; in WAL mode that runs beside our commits.
 * Durability is unchanged: a post is durable once its commit reached the WAL, as before.
 *
 * A passive checkpoint never makes the WAL start over: SQLite restarts it from its head only when
 * a writer finds every frame copied, and under steady posting a commit always lands while the
 * checkpoint runs. So the WAL grew for as long as posts kept coming (35 MB in 6,000 one-post
 * commits; at 100 channels × 20 posts/s tens of GB an hour), and every frame extended the file,
 * which costs the kernel about twice an overwrite (4.3 vs 2.0 µs per frame). Once the WAL holds
 * `restartFrames`, the thread follows its passive pass with a RESTART checkpoint: it takes the
 * write lock (waiting for the commit in progress), copies the few frames since, and the next
 * commit writes from the head of the file again. A commit that meets it waits in SQLite's busy
 * handler, about 1–3 ms, once per `restartFrames` frames; the file stays ~`restartFrames` pages.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Default WAL size in frames from which a checkpoint restarts the WAL (~16 MiB of 4 KiB pages). */
export const WAL_RESTART_FRAMES = 4_000;

/** Options of {@link startWalCheckpointer}. */
export interface WalCheckpointerOptions {
  /** Path of the database file. */
  readonly file: string;
  /** ms between two passive checkpoints. @default 1_000 */
  readonly intervalMs?: number;
  /** WAL size in frames (pages) from which a checkpoint also restarts the WAL (see the module comment). @default 4_000 */
  readonly restartFrames?: number;
  /** ms a restarting checkpoint waits for the writer's commit and for readers before it gives up until the next interval (it holds the write lock meanwhile: a worker still loading its history must not stall the others' commits long). @default 10 */
  readonly restartWaitMs?: number;
  /** Called once if the worker fails; the caller should fall back to automatic checkpoints. */
  readonly onFailure: (error: Error) => void;
}

/** A running checkpoint worker. */
export interface WalCheckpointer {
  /** Resolves once the thread has opened its connection (or failed, or exited). */
  readonly ready: Promise<void>;
  /** Stops the worker (it closes its connection); idempotent. Resolves once the thread has exited. */
  stop(): Promise<void>;
}

// Plain CommonJS for `eval: true`, so it runs the same from the TypeScript sources and from dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
// Nice 10 for this thread only (as the import thread, import-worker.ts): the event loop comes first.
try { require('node:os').setPriority(10); } catch { /* not permitted: the process's priority */ }
const db = new Database(workerData.file, { timeout: workerData.restartWaitMs });
parentPort.postMessage('ready');
const timer = setInterval(() => {
  const [result] = db.pragma('wal_checkpoint(PASSIVE)');
  if (result.log >= workerData.restartFrames) db.pragma('wal_checkpoint(RESTART)');
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** Starts a worker thread that checkpoints the WAL of `file` every `intervalMs`. */
export function startWalCheckpointer(options: WalCheckpointerOptions): WalCheckpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const workerData = {
    module,
    file: options.file,
    intervalMs: options.intervalMs ?? 1_000,
    restartFrames: options.restartFrames ?? WAL_RESTART_FRAMES,
    restartWaitMs: options.restartWaitMs ?? 10,
  };
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
  // Never keeps a stopping process alive: close() checkpoints on the main connection anyway.
  worker.unref();
  let stopped = false;
  // A worker that has not opened its connection yet still does when it starts: callers that remove
  // the data dir wait for the exit (a test's cleanup raced that open and saw ENOTEMPTY).
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    worker.once('error', () => resolve());
    void exited.then(() => resolve());
  });
  worker.once('error', (err) => {
    if (!stopped) options.onFailure(err);
    stopped = true;
  });
  return {
    ready,
    stop(): Promise<void> {
      if (!stopped) {
        stopped = true;
        worker.postMessage('close');
        // Whoever awaits the exit keeps the process up until then (an unref'd worker would let a
        // process whose only pending work is this await end early, e.g. with exit code 13).
        worker.ref();
      }
      return exited;
    },
  };
}
