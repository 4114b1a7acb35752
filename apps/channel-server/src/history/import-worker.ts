/**
 * The import thread's entry (import-thread.ts starts it): its own connection to the history file
 * reads the byte ranges of the journal the store sends, imports their batches (journal-import.ts)
 * and trims, off the event loop. An import on the event loop held it ~1.3 ms per 500 posts, and
 * far longer whenever the file system stalled the write (a checkpoint's fsync): the p99 of the
 * 100 channels × 10 members workload (issue 13).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { importer } from './journal-import.js';
import { readBatches } from './post-journal.js';
import { PostTrimmer, type PostTrimmerOptions } from './post-trimmer.js';
import type { ImportThreadData, ToImportThread, FromImportThread } from './import-thread.js';

const data = workerData as ImportThreadData;
const port = parentPort;
if (port === null) throw new Error('import-worker.ts runs as a worker thread only');

// Nice 10 for this thread only (Linux applies a thread's own setpriority to that thread): on a box
// whose cores are all busy, the event loop and the members' traffic come first, the import waits
// (the journal keeps the posts meanwhile).
try {
  setPriority(10);
} catch {
  // Not permitted here (a container's policy): the import runs at the process's priority.
}
const db = new Database(data.file, { timeout: data.waitMs });
db.pragma('synchronous = NORMAL');
db.pragma('wal_autocheckpoint = 0');
// An import touches a few hundred pages; SQLite's default cache (2 MB) would be held for nothing.
db.pragma('cache_size = -1024');
if (data.maxPages !== undefined) db.pragma(`max_page_count = ${data.maxPages}`);
const trimmer = new PostTrimmer(db, data.trim as PostTrimmerOptions);
const run = importer(db, (channel, posts) => trimmer.wrote(channel, posts), (data.trim as PostTrimmerOptions).retain);
const fd = openSync(data.journal, 'r');
port.postMessage({ kind: 'ready' } satisfies FromImportThread);

/** Ranges sent and not yet imported, in order. */
const queue: { from: number; to: number }[] = [];
let retry: NodeJS.Timeout | undefined;
let stopping = false;

const send = (m: FromImportThread): void => port.postMessage(m);

function read(from: number, to: number): Buffer {
  const buf = Buffer.allocUnsafe(to - from);
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, from + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** Imports the queued ranges in order; on a failure, tries again after the interval. */
function drain(): void {
  retry = undefined;
  while (queue.length > 0) {
    const range = queue[0] as { from: number; to: number };
    const batches = readBatches(read(range.from, range.to), { posts: false });
    const last = batches.at(-1);
    try {
      const posts = run(data.name, batches);
      queue.shift();
      if (last !== undefined) send({ kind: 'imported', serial: last.serial, posts });
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? '');
      send({ kind: 'failed', message: String(err), busy: code.startsWith('SQLITE_BUSY') });
      if (!stopping) retry = setTimeout(drain, data.retryMs);
      return;
    }
  }
  trim();
}

function trim(): void {
  try {
    while (trimmer.step());
  } catch (err) {
    send({ kind: 'trimFailed', message: String(err) });
  }
}

port.on('message', (m: ToImportThread) => {
  if (m.kind === 'range') {
    queue.push({ from: m.from, to: m.to });
    if (retry === undefined) drain();
    return;
  }
  stopping = true;
  if (retry !== undefined) clearTimeout(retry);
  closeSync(fd);
  db.close();
  port.close();
});
