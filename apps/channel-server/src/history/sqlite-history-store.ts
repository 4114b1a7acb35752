/**
 * Channel history persisted in SQLite (better-sqlite3), by group commit: the host appends the posts
 * of one event-loop turn and commits them before their echoes go out (docs/protocol.md §6.2
 * STORE_UNAVAILABLE), with the admission lists of private channels in the same commit
 * (docs/protocol.md §8). A commit is one write of a batch record to the store's journal
 * (post-journal.ts), which survives a kill of the process (not a power cut), as a WAL commit with
 * synchronous=NORMAL does; the journal's batches go into SQLite in large transactions every
 * `importIntervalMs`, in slices, and at open whatever a killed process left in its journal is
 * imported first (journal-import.ts). The tables and the migration of older data dirs are in
 * history-layout.ts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Post } from '@ims/channel-core';
import type { CommitResult, HistoryStore } from '@ims/host-service';
import { startWalCheckpointer, WAL_RESTART_FRAMES, type WalCheckpointer } from './wal-checkpointer.js';
import { PostTrimmer, type PostTrimmerOptions } from './post-trimmer.js';
import { openLayout, SeqClock, type MigrationProgress } from './history-layout.js';
import { encodeBatch, PostJournal, type JournalBatch, type JournalEntry } from './post-journal.js';
import { importer, JOURNAL_SUFFIX, recoverJournals, type ImportBatches } from './journal-import.js';
import { decodeSegment } from './post-segments.js';
import { ImportThread, type FromImportThread, type ImportThreadData } from './import-thread.js';

/** Name of the database file inside `--data-dir` (plus SQLite's `-wal` and `-shm` files). */
export const HISTORY_DB_FILE = 'history.sqlite3';

/** Options of {@link SqliteHistoryStore}. */
export interface SqliteHistoryStoreOptions {
  /** Directory holding the database; created if missing. */
  readonly dataDir: string;
  /** Posts kept per channel: loading returns at most this many, and older ones are pruned from disk in slices (see `pruneSlack`). @default 1_000 */
  readonly retainPerChannel?: number;
  /**
   * Posts a channel may gain on disk beyond `retainPerChannel` before it is trimmed back: trimming
   * walks `retainPerChannel` index entries, so doing it on every batch blocked the event loop for
   * milliseconds per window. @default a tenth of `retainPerChannel` (at least 1)
   */
  readonly pruneSlack?: number;
  /** Channels trimmed in one trim step at most; the rest wait for the next steps, so a step stays short. @default 32 */
  readonly maxPrunesPerBatch?: number;
  /** Rows deleted per channel in one trim step at most (post-trimmer.ts). @default 32 */
  readonly trimRowsPerStep?: number;
  /**
   * Channels kept on disk: at open, the channels beyond this many most recently posted to are
   * deleted, so neither the file nor the startup load grows without bound. @default 10_000
   */
  readonly maxChannels?: number;
  /** ms between two WAL checkpoints, run by a worker thread off the event loop; 0 leaves them to SQLite, inside a commit. @default 500 */
  readonly checkpointIntervalMs?: number;
  /** WAL size in pages from which the checkpoint thread also restarts the WAL, so it stays bounded under steady posting (wal-checkpointer.ts). @default 4_000 */
  readonly walRestartFrames?: number;
  /**
   * Size cap of the database in pages (SQLite `max_page_count`, 4 KiB pages): a commit past it
   * fails like a full disk. @default none (SQLite's own limit)
   */
  readonly maxPages?: number;
  /** ms between a commit and the import of the journal's batches into SQLite. @default 250 */
  readonly importIntervalMs?: number;
  /** Posts journaled and not yet handed to the import from which it starts at once, not after `importIntervalMs`. @default 4_000 */
  readonly importBacklogPosts?: number;
  /**
   * Posts journaled but not yet in SQLite at most: while the database refuses them (full disk,
   * `maxPages`), commits beyond this many fail like a full disk instead of the journal growing
   * without bound. @default 100_000
   */
  readonly maxUnimportedPosts?: number;
  /** Import in a worker thread with a connection of its own, off the event loop; false: on this connection, in slices on the event loop. @default true */
  readonly importThread?: boolean;
  /** Name of this store's journal in `dataDir` (`<name>.journal`); each process writing the file needs its own. @default 'history' */
  readonly journalName?: string;
  /** At open, also import and delete every other journal in `dataDir` (only where no other process writes: a box's first open). @default true */
  readonly recoverAllJournals?: boolean;
  /** Called while a data dir of an older server is migrated at open (history-layout.ts): after each slice of posts copied, and when done. */
  readonly onMigrationProgress?: (progress: MigrationProgress) => void;
  /** Called for an append after close (a wiring bug) and a failed trim step. A failed commit is reported by `commit()`'s result, not here. */
  readonly onError?: (error: HistoryStoreError) => void;
}

/** Stable codes of history store failures. */
export type HistoryStoreErrorCode = 'HISTORY_OPEN_FAILED' | 'HISTORY_WRITE_FAILED' | 'HISTORY_IMPORT_FAILED' | 'HISTORY_TRIM_FAILED' | 'HISTORY_CLOSED';

/** A history store failure; branch on `code`. */
export class HistoryStoreError extends Error {
  override readonly name = 'HistoryStoreError';
  constructor(
    readonly code: HistoryStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface SegmentRow {
  readonly channel: string;
  readonly data: Uint8Array;
}

/** Is `err` SQLite's "another connection holds the lock" (the workers of a box, the checkpoint thread)? */
function isBusy(err: unknown): boolean {
  return typeof err === 'object' && err !== null && String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY');
}

/** Busy timeout of the store's connection at open, loads and close (ms); imports and trims use none and retry. */
const WAIT_MS = 5_000;

/** SQLite-backed HistoryStore: `append` queues, `commit` journals the queue, imports follow in the background. */
export class SqliteHistoryStore implements HistoryStore {
  private readonly db: Database.Database;
  private readonly retainPerChannel: number;
  private readonly pruneSlack: number;
  private readonly maxPrunesPerBatch: number;
  private readonly maxChannels: number;
  private readonly importIntervalMs: number;
  private readonly importBacklogPosts: number;
  private readonly maxUnimported: number;
  private readonly journalName: string;
  /** Trims channels over their retention in steps of their own, after an import. */
  private readonly trimmer: PostTrimmer;
  private trimTimer: NodeJS.Immediate | undefined;
  private importTimer: NodeJS.Timeout | undefined;
  /** How the import thread starts; undefined when imports run on this connection (option off, or the thread failed). */
  private threadData: ImportThreadData | undefined;
  private thread: ImportThread | undefined;
  /** Journal bytes sent to the import thread so far (since the last rewind). */
  private sentUpTo = 0;
  /** Posts journaled since the last range sent to the thread. */
  private unsentPosts = 0;
  private importSoon: NodeJS.Immediate | undefined;
  private readonly onError: (error: HistoryStoreError) => void;
  private readonly seq: SeqClock;
  private readonly journal: PostJournal;
  private readonly importBatches: ImportBatches;
  private readonly checkpointer: WalCheckpointer | undefined;
  private pending: JournalEntry[] = [];
  private pendingPosts = 0;
  /** Serial and post count of each batch journaled and not yet in SQLite, oldest first (the batches themselves are in the journal). */
  private unimported: { readonly serial: number; readonly posts: number }[] = [];
  private serial: number;
  /** Is the streak of failed imports already reported? */
  private importFailing = false;
  private closed = false;
  /** Posts journaled (durable) since open. */
  written = 0;
  /** Posts journaled and not yet imported into SQLite. */
  unimportedCount = 0;
  /** Commits that failed (nothing of them was stored). */
  failedCommits = 0;
  /** Imports that failed (their posts stay in the journal and are imported by a later try). */
  failedImports = 0;
  /** Trim steps that failed (the old posts stayed on disk). */
  failedTrims = 0;
  /** Channels deleted at open for exceeding `maxChannels`. */
  readonly prunedChannels: number;
  /** Posts found in journals at open (a previous run was killed before importing them), now in SQLite. */
  readonly recoveredPosts: number;

  constructor(options: SqliteHistoryStoreOptions) {
    this.retainPerChannel = options.retainPerChannel ?? 1_000;
    this.pruneSlack = Math.max(1, options.pruneSlack ?? Math.ceil(this.retainPerChannel / 10));
    this.maxPrunesPerBatch = Math.max(1, options.maxPrunesPerBatch ?? 32);
    this.maxChannels = options.maxChannels ?? 10_000;
    this.importIntervalMs = Math.max(0, options.importIntervalMs ?? 250);
    this.importBacklogPosts = Math.max(1, options.importBacklogPosts ?? 4_000);
    this.maxUnimported = Math.max(1, options.maxUnimportedPosts ?? 100_000);
    this.journalName = options.journalName ?? 'history';
    this.onError = options.onError ?? (() => undefined);
    try {
      mkdirSync(options.dataDir, { recursive: true });
      this.db = new Database(join(options.dataDir, HISTORY_DB_FILE), { timeout: WAIT_MS });
      // WAL: imports do not block readers (the workers, the checkpoint thread).
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      // The cap holds for a migration too: one that does not fit fails the open and keeps the old table.
      if (options.maxPages !== undefined) this.db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxPages))}`);
      openLayout(this.db, { onProgress: options.onMigrationProgress });
      this.trimmer = new PostTrimmer(this.db, this.trimOptions(options));
      this.importBatches = importer(this.db, (channel, posts) => this.trimmer.wrote(channel, posts), this.retainPerChannel);
      this.journal = new PostJournal(join(options.dataDir, `${this.journalName}${JOURNAL_SUFFIX}`));
      const recovery = recoverJournals(this.db, options.dataDir, this.journal, this.journalName, options.recoverAllJournals ?? true, this.importBatches);
      this.serial = recovery.nextSerial;
      this.recoveredPosts = recovery.posts;
      this.prunedChannels = this.pruneChannels(this.maxChannels);
      this.seq = new SeqClock(this.db, 2 * this.maxChannels);
      this.adoptLeft(recovery.left, recovery.failure);
    } catch (cause) {
      throw new HistoryStoreError('HISTORY_OPEN_FAILED', `cannot open history in ${options.dataDir}`, { cause });
    }
    // From here on, a busy file is no reason to wait with the event loop held: the journal keeps the posts, the next try imports them.
    this.db.pragma('busy_timeout = 0');
    this.checkpointer = this.startCheckpointer(join(options.dataDir, HISTORY_DB_FILE), options.checkpointIntervalMs ?? 500, options.walRestartFrames);
    if (options.importThread ?? true) {
      this.threadData = {
        file: join(options.dataDir, HISTORY_DB_FILE),
        journal: this.journal.path,
        name: this.journalName,
        waitMs: WAIT_MS,
        retryMs: Math.max(this.importIntervalMs, 50),
        maxPages: options.maxPages === undefined ? undefined : Math.max(1, Math.floor(options.maxPages)),
        trim: this.trimOptions(options),
      };
      // Started now, not at the first import: its memory is the process's, not the first members'.
      this.startThread(this.threadData);
    }
    this.scheduleTrim();
  }

  /** How this connection's trimmer and the import thread's trim (the same retention). */
  private trimOptions(options: SqliteHistoryStoreOptions): PostTrimmerOptions {
    return { retain: this.retainPerChannel, slack: this.pruneSlack, channelsPerStep: this.maxPrunesPerBatch, rowsPerStep: options.trimRowsPerStep, maxCounted: 2 * this.maxChannels };
  }

  /**
   * The journal's batches the database refused at open: kept as if just committed (loads include
   * them, the import tries again), and every later seq goes above theirs.
   */
  private adoptLeft(left: readonly JournalBatch[], failure: unknown): void {
    if (left.length === 0) return;
    for (const b of left) {
      let posts = 0;
      for (const e of b.entries) {
        if (e.kind !== 'post') continue;
        posts += 1;
        this.seq.atLeast(e.seq);
      }
      this.unimported.push({ serial: b.serial, posts });
      this.unimportedCount += posts;
    }
    this.failedImports += 1;
    this.importFailing = true;
    this.onError(new HistoryStoreError('HISTORY_IMPORT_FAILED', `${this.unimportedCount} journaled posts could not be imported at open; served from the journal and tried again`, { cause: failure }));
    this.scheduleImport(Math.max(this.importIntervalMs, 50));
  }

  /** Trims on the next turn, after this turn's echoes went out; one short step per turn until none is due. */
  private scheduleTrim(): void {
    if (this.trimTimer !== undefined || !this.trimmer.pending || this.closed) return;
    this.trimTimer = setImmediate(() => {
      this.trimTimer = undefined;
      if (this.closed) return;
      if (this.trimStep()) this.scheduleTrim();
    });
  }

  /** One trim step; a failure is reported and counted, the posts stay (a trim frees space, it stores nothing). */
  private trimStep(): boolean {
    try {
      return this.trimmer.step();
    } catch (cause) {
      // Another writer holds the file: the counts are gone with the step, the next import trims again.
      if (isBusy(cause)) return false;
      this.failedTrims += 1;
      this.onError(new HistoryStoreError('HISTORY_TRIM_FAILED', 'trimming old posts failed; they stay on disk until the next try', { cause }));
      return false;
    }
  }

  /**
   * Imports the journal's batches after `delayMs`, or on the next turn (`soon`: the next slice, or
   * a backlog of several slices, which must not wait for the interval).
   */
  private scheduleImport(delayMs: number, soon = false): void {
    if (this.closed || this.importSoon !== undefined) return;
    const run = (): void => {
      this.clearImportTimer();
      if (this.closed) return;
      if (this.threadData !== undefined) this.sendRange();
      else this.importOwn();
    };
    if (soon) {
      if (this.importTimer !== undefined) clearTimeout(this.importTimer);
      this.importTimer = undefined;
      this.importSoon = setImmediate(run);
    } else if (this.importTimer === undefined) {
      // Unref'd: a pending import never keeps a stopping process up (close imports what is left).
      this.importTimer = setTimeout(run, delayMs).unref();
    }
  }

  /**
   * Imports what the journal holds and SQLite lacks, on this connection, in one transaction (read
   * back from the file: nothing of a batch stays in memory once journaled). A failure leaves it in
   * the journal and tries again after the interval; false then.
   */
  private importOwn(): boolean {
    if (this.unimported.length === 0) return true;
    try {
      this.importBatches(this.journalName, this.journal.readAll({ posts: false }));
    } catch (cause) {
      this.trimmer.forget();
      if (!isBusy(cause)) {
        this.failedImports += 1;
        if (!this.importFailing) this.onError(new HistoryStoreError('HISTORY_IMPORT_FAILED', `${this.unimportedCount} journaled posts not yet in the database; kept in the journal and tried again`, { cause }));
        this.importFailing = true;
      }
      this.scheduleImport(Math.max(this.importIntervalMs, 50));
      return false;
    }
    this.importFailing = false;
    this.unimported = [];
    this.unimportedCount = 0;
    this.rewindJournal();
    this.scheduleTrim();
    return true;
  }

  /** Batches journaled and not yet imported, read back from the journal (loads at start, rare): with their posts. */
  private unimportedBatches(): JournalBatch[] {
    const first = this.unimported[0]?.serial;
    return first === undefined ? [] : this.journal.readAll().filter((b) => b.serial >= first);
  }

  /** Everything written is in SQLite: the journal starts over from its head. */
  private rewindJournal(): void {
    this.journal.rewind();
    this.sentUpTo = 0;
  }

  /** Sends the journal's bytes written since the last send to the import thread (starting it the first time). */
  private sendRange(): void {
    const data = this.threadData;
    if (data === undefined || this.journal.size <= this.sentUpTo) return;
    (this.thread ?? this.startThread(data)).send(this.sentUpTo, this.journal.size);
    this.sentUpTo = this.journal.size;
    this.unsentPosts = 0;
  }

  private startThread(data: ImportThreadData): ImportThread {
    this.thread = new ImportThread(data, {
      onMessage: (m) => this.onThreadMessage(m),
      onFailure: (err) => this.onThreadFailure(err),
    });
    return this.thread;
  }

  /**
   * Resolves once the import and checkpoint threads run (at once without them): a server serves
   * only then, so their start-up (~4 MB, in the 50 ms after the constructor) is not counted in its
   * first members' time or memory.
   */
  async ready(): Promise<void> {
    await Promise.all([this.thread?.ready, this.checkpointer?.ready]);
  }

  private onThreadMessage(m: FromImportThread): void {
    if (this.closed || m.kind === 'ready') return;
    if (m.kind === 'imported') {
      let n = 0;
      while (n < this.unimported.length && (this.unimported[n] as { serial: number }).serial <= m.serial) n += 1;
      for (const b of this.unimported.splice(0, n)) this.unimportedCount -= b.posts;
      this.importFailing = false;
      // Imported up to the last batch written: nothing the thread still has to read is left in the journal.
      if (this.unimported.length === 0 && this.sentUpTo === this.journal.size) this.rewindJournal();
    } else if (m.kind === 'failed') {
      if (m.busy) return;
      this.failedImports += 1;
      if (!this.importFailing) this.onError(new HistoryStoreError('HISTORY_IMPORT_FAILED', `${this.unimportedCount} journaled posts not yet in the database; kept in the journal and tried again (${m.message})`));
      this.importFailing = true;
    } else {
      this.failedTrims += 1;
      this.onError(new HistoryStoreError('HISTORY_TRIM_FAILED', `trimming old posts failed; they stay on disk until the next try (${m.message})`));
    }
  }

  /** The thread died: imports go on on this connection, on the event loop (slower for the latency, nothing lost). */
  private onThreadFailure(err: Error): void {
    this.threadData = undefined;
    this.thread = undefined;
    this.onError(new HistoryStoreError('HISTORY_IMPORT_FAILED', 'the import thread failed; importing on the event loop instead', { cause: err }));
    this.scheduleImport(this.importIntervalMs);
  }

  /** Imports every journaled batch into SQLite now, waiting for a busy file (loads, close); false if the database refused some (they stay journaled). */
  importNow(): boolean {
    this.db.pragma(`busy_timeout = ${WAIT_MS}`);
    try {
      return this.importOwn();
    } finally {
      this.db.pragma('busy_timeout = 0');
    }
  }
  /** Moves WAL checkpoints to a worker (see wal-checkpointer.ts); SQLite's own come back if it fails. */
  private startCheckpointer(file: string, intervalMs: number, restartFrames: number | undefined): WalCheckpointer | undefined {
    if (intervalMs <= 0) return undefined;
    this.db.pragma('wal_autocheckpoint = 0');
    // After a restart the first commit cuts the file back to what restartFrames need: a burst's growth does not stay on disk.
    const pageBytes = this.db.pragma('page_size', { simple: true }) as number;
    this.db.pragma(`journal_size_limit = ${Math.max(1, restartFrames ?? WAL_RESTART_FRAMES) * (pageBytes + 24)}`);
    return startWalCheckpointer({
      file,
      intervalMs,
      restartFrames,
      onFailure: () => {
        if (!this.closed) this.db.pragma('wal_autocheckpoint = 1000');
      },
    });
  }

  /** Deletes every channel but the `max` most recently posted to; returns how many went. */
  private pruneChannels(max: number): number {
    const keep = `SELECT channel FROM segments GROUP BY channel ORDER BY MAX(seq) DESC LIMIT ?`;
    const before = this.db.prepare<[], { n: number }>('SELECT COUNT(DISTINCT channel) AS n FROM segments').get()?.n ?? 0;
    if (before <= max) return 0;
    this.db.prepare<[number]>(`DELETE FROM segments WHERE channel NOT IN (${keep})`).run(max);
    return before - max;
  }

  /** The newest `limitPerChannel` (at most `retainPerChannel`) posts of every stored channel, oldest first. */
  loadAll(limitPerChannel: number): Map<string, Post[]> {
    this.assertOpen();
    this.commit();
    // What the database refuses now is served from the journal's batches (newer than any row).
    this.importNow();
    // Disk may hold more than the retention (the slack, whole segments): never load those.
    const limit = Math.min(limitPerChannel, this.retainPerChannel);
    const out = new Map<string, Post[]>();
    // Newest segment first per channel, until the channel has its limit.
    const rows = this.db.prepare<[], SegmentRow>('SELECT channel, data FROM segments ORDER BY channel, seq DESC').iterate();
    let channel: string | undefined;
    let parts: Post[][] = [];
    let have = 0;
    const finish = (): void => {
      if (channel === undefined || have === 0) return;
      const all = parts.reverse().flat();
      out.set(channel, all.length > limit ? all.slice(all.length - limit) : all);
    };
    for (const r of rows) {
      if (r.channel !== channel) {
        finish();
        channel = r.channel;
        parts = [];
        have = 0;
      }
      if (have >= limit) continue;
      const posts = decodeSegment(r.data);
      parts.push(posts);
      have += posts.length;
    }
    finish();
    const grown = new Set<string>();
    for (const b of this.unimportedBatches()) {
      for (const e of b.entries) {
        if (e.kind !== 'post' || e.post === undefined) continue;
        const list = out.get(e.channel);
        if (list) list.push(e.post);
        else out.set(e.channel, [e.post]);
        grown.add(e.channel);
      }
    }
    for (const channel of grown) {
      const list = out.get(channel) as Post[];
      if (list.length > limit) out.set(channel, list.slice(list.length - limit));
    }
    return out;
  }

  /** Every stored admission list (docs/protocol.md §8), IDs in the order they were admitted. */
  loadAdmissions(): Map<string, string[]> {
    this.assertOpen();
    this.commit();
    this.importNow();
    const rows = this.db.prepare<[], { channel: string; peer_id: string }>('SELECT channel, peer_id FROM admitted ORDER BY rowid').all();
    const out = new Map<string, string[]>();
    const add = (channel: string, id: string): void => {
      const list = out.get(channel);
      if (!list) out.set(channel, [id]);
      else if (!list.includes(id)) list.push(id);
    };
    for (const r of rows) {
      const list = out.get(r.channel);
      if (list) list.push(r.peer_id);
      else out.set(r.channel, [r.peer_id]);
    }
    for (const b of this.unimportedBatches()) for (const e of b.entries) if (e.kind === 'admit') for (const id of e.ids) add(e.channel, id);
    return out;
  }

  /** Queues peer IDs admitted to a private channel for the next {@link commit}, in the posts' batch. */
  admit(channel: string, ids: readonly string[]): void {
    if (this.closed) {
      this.onError(new HistoryStoreError('HISTORY_CLOSED', `admission to ${channel} after close dropped`));
      return;
    }
    this.pending.push({ kind: 'admit', channel, ids: [...ids] });
  }

  /** Queues one post for the next {@link commit}. */
  append(channel: string, post: Post): void {
    if (this.closed) {
      this.onError(new HistoryStoreError('HISTORY_CLOSED', `post to ${channel} after close dropped`));
      return;
    }
    this.pending.push({ kind: 'post', channel, seq: this.seq.next(channel), post });
    this.pendingPosts += 1;
  }

  /** Journals every queued post now, in one write; on failure none of them is stored. */
  commit(): CommitResult {
    const entries = this.pending;
    const posts = this.pendingPosts;
    this.pending = [];
    this.pendingPosts = 0;
    if (entries.length === 0) return { ok: true, posts: 0 };
    if (this.closed) return { ok: false, posts, error: new HistoryStoreError('HISTORY_CLOSED', 'history store is closed') };
    if (this.unimportedCount + posts > this.maxUnimported) {
      this.failedCommits += 1;
      const why = `${posts} posts not stored: ${this.unimportedCount} journaled posts are still waiting for the database (it refuses them: a full disk or its size cap)`;
      return { ok: false, posts, error: new HistoryStoreError('HISTORY_WRITE_FAILED', why) };
    }
    try {
      this.journal.write(encodeBatch(this.serial, entries));
    } catch (cause) {
      // Disk full or I/O error: nothing of the batch counts (the next write goes to the same
      // offset). The host refuses these posts.
      this.failedCommits += 1;
      return { ok: false, posts, error: new HistoryStoreError('HISTORY_WRITE_FAILED', `${posts} posts not stored`, { cause }) };
    }
    this.unimported.push({ serial: this.serial, posts });
    this.serial += 1;
    this.written += posts;
    this.unimportedCount += posts;
    this.unsentPosts += posts;
    // A backlog goes in soon, unless the database is refusing imports (then the interval paces the
    // tries). With the thread, the backlog is what it was not sent yet: one range per backlog of a burst, not one per turn.
    const backlog = this.threadData !== undefined ? this.unsentPosts : this.unimportedCount;
    this.scheduleImport(this.importIntervalMs, !this.importFailing && backlog >= this.importBacklogPosts);
    return { ok: true, posts };
  }


  /** Commits what is queued; a failure was already answered by the host (STORE_UNAVAILABLE; admitted IDs: queued again by it). */
  flush(): Promise<void> {
    this.commit();
    return Promise.resolve();
  }

  /** Number of posts queued and not yet on disk. */
  get pendingCount(): number {
    return this.pendingPosts;
  }

  /** Flush and close the database; later appends are dropped and reported. Resolves once the import and checkpoint threads have exited too. */
  async close(): Promise<void> {
    // The import thread finishes what it is doing first; what it has not taken is imported here.
    await this.thread?.stop();
    this.closeNow();
    await this.checkpointer?.stop();
  }

  /** Synchronous {@link close}, for exit paths that cannot wait. */
  closeNow(): void {
    if (this.closed) return;
    this.commit();
    this.clearImportTimer();
    // Not awaited (exit paths): a thread still importing holds the file; the import below waits for it, and skips what it took.
    void this.thread?.stop();
    // Imported and trimmed now: at close, a longer pause costs nobody a late echo. What cannot be
    // imported stays in the journal, for the next open.
    const imported = this.importNow();
    this.clearImportTimer();
    if (this.trimTimer !== undefined) clearImmediate(this.trimTimer);
    this.trimTimer = undefined;
    this.db.pragma(`busy_timeout = ${WAIT_MS}`);
    while (this.trimStep());
    this.closed = true;
    try {
      if (imported) this.journal.rewind(true);
    } catch (cause) {
      this.onError(new HistoryStoreError('HISTORY_WRITE_FAILED', 'cutting the imported journal failed; the next open skips what it holds', { cause }));
    }
    this.journal.close();
    void this.checkpointer?.stop();
    this.db.close();
  }

  private clearImportTimer(): void {
    if (this.importTimer !== undefined) clearTimeout(this.importTimer);
    if (this.importSoon !== undefined) clearImmediate(this.importSoon);
    this.importTimer = undefined;
    this.importSoon = undefined;
  }

  private assertOpen(): void {
    if (this.closed) throw new HistoryStoreError('HISTORY_CLOSED', 'history store is closed');
  }
}
