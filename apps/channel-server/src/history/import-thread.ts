/**
 * The store's side of the import thread (import-worker.ts): starts it, sends it the journal's byte
 * ranges as they are written, and hands its answers back. Started from the sources (tests, `npm
 * start`) the thread loads the TypeScript through tsx; from a build or a bundle it loads the
 * compiled `import-worker.js` next to this module (the bundle names that entry so).
 */
import { Worker } from 'node:worker_threads';
import type { PostTrimmerOptions } from './post-trimmer.js';

/** What the thread is started with. */
export interface ImportThreadData {
  /** The history file. */
  readonly file: string;
  /** The journal file, and its name in `journal_state`. */
  readonly journal: string;
  readonly name: string;
  /** Busy timeout of the thread's connection (ms): waiting is fine off the event loop. */
  readonly waitMs: number;
  /** ms before a failed import is tried again. */
  readonly retryMs: number;
  readonly maxPages: number | undefined;
  readonly trim: PostTrimmerOptions;
}

/** Store → thread. */
export type ToImportThread = { readonly kind: 'range'; readonly from: number; readonly to: number } | { readonly kind: 'stop' };

/** Thread → store. */
export type FromImportThread =
  | { readonly kind: 'ready' }
  | { readonly kind: 'imported'; readonly serial: number; readonly posts: number }
  | { readonly kind: 'failed'; readonly message: string; readonly busy: boolean }
  | { readonly kind: 'trimFailed'; readonly message: string };

/** What the store hears from the thread. */
export interface ImportThreadEvents {
  onMessage(m: FromImportThread): void;
  /** The thread died (it could not start, or threw): the store imports on its own connection instead. */
  onFailure(err: Error): void;
}

// Plain CommonJS for `eval: true`: from the sources, tsx is registered before the entry is imported.
const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.entry.endsWith('.ts')) (await import('tsx/esm/api')).register();
  await import(workerData.entry);
})().catch((err) => { throw err; });
`;

/** A running import thread. */
export class ImportThread {
  private readonly worker: Worker;
  private stopped = false;
  private readonly exited: Promise<void>;
  /** Resolves once the thread has opened its connection (or failed, or exited). */
  readonly ready: Promise<void>;

  constructor(data: ImportThreadData, events: ImportThreadEvents) {
    const fromSources = import.meta.url.endsWith('.ts');
    const entry = new URL(fromSources ? './import-worker.ts' : './import-worker.js', import.meta.url).href;
    this.worker = new Worker(BOOT, {
      eval: true,
      workerData: { ...data, entry },
      // The workspace packages resolve to their sources there, as in this process.
      ...(fromSources ? { execArgv: ['--conditions=@ims/source'] } : {}),
      // A range's batches (thousands of posts under load) stay alive through its import: in a 2 MB
      // young generation they outlived each scavenge and were copied out (28 scavenges, 63–93 ms of
      // GC per 72,000 posts to one channel); 8 MB holds them until they die (12–13, 28–35 ms).
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    // Never keeps a stopping process up: close() imports what is left on the store's own connection.
    this.worker.unref();
    this.exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    let ready: () => void = () => undefined;
    this.ready = new Promise<void>((resolve) => (ready = resolve));
    void this.exited.then(() => ready());
    this.worker.on('message', (m: FromImportThread) => (m.kind === 'ready' ? ready() : events.onMessage(m)));
    this.worker.once('error', (err) => {
      ready();
      if (!this.stopped) events.onFailure(err);
      this.stopped = true;
    });
  }

  /** Journal bytes [from, to) hold batches to import. */
  send(from: number, to: number): void {
    if (!this.stopped) this.worker.postMessage({ kind: 'range', from, to } satisfies ToImportThread);
  }

  /** Stops the thread after what it is doing; idempotent. Resolves once it has exited. */
  stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.worker.postMessage({ kind: 'stop' } satisfies ToImportThread);
      // Whoever awaits the exit keeps the process up until then.
      this.worker.ref();
    }
    return this.exited;
  }
}
