/**
 * Channel history persisted in SQLite (better-sqlite3), by group commit: the host appends the posts
 * of one event-loop turn and commits them in one transaction before their echoes go out
 * (docs/protocol.md §6.2 STORE_UNAVAILABLE), with the admission lists of private channels in the
 * same transactions (docs/protocol.md §8). In WAL mode with synchronous=NORMAL a commit is one
 * fsync-free WAL append, which survives a kill of the process (not a power cut). The tables and the
 * migration of older data dirs are in history-layout.ts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Post } from '@ims/channel-core';
import type { CommitResult, HistoryStore } from '@ims/host-service';
import { startWalCheckpointer, WAL_RESTART_FRAMES, type WalCheckpointer } from './wal-checkpointer.js';
import { PostTrimmer } from './post-trimmer.js';
import { openLayout, SeqClock, type MigrationProgress } from './history-layout.js';

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
  /** Called while a data dir of an older server is migrated at open (history-layout.ts): after each slice of posts copied, and when done. */
  readonly onMigrationProgress?: (progress: MigrationProgress) => void;
  /** Called for an append after close (a wiring bug) and a failed trim step. A failed commit is reported by `commit()`'s result, not here. */
  readonly onError?: (error: HistoryStoreError) => void;
}

/** Stable codes of history store failures. */
export type HistoryStoreErrorCode = 'HISTORY_OPEN_FAILED' | 'HISTORY_WRITE_FAILED' | 'HISTORY_TRIM_FAILED' | 'HISTORY_CLOSED';

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

interface PostRow {
  readonly channel: string;
  readonly author_id: string;
  readonly text: string;
  readonly at: number;
}

/** One queued post with its channel. */
interface Pending {
  readonly channel: string;
  readonly post: Post;
}

/** Peer IDs queued for a private channel's admission list. */
interface PendingAdmit {
  readonly channel: string;
  readonly ids: readonly string[];
}

/** Rows per INSERT statement, largest first: a turn's batch goes out in few statement runs. */
const INSERT_ROWS = [64, 16, 4, 1] as const;

/**
 * Inserts a batch with multi-row INSERTs (64, 16, 4 and 1 rows per statement): each statement run
 * costs a crossing into SQLite, and one per post was most of the store's share of a post's CPU.
 */
function multiRowInsert(db: Database.Database, seq: SeqClock): (batch: readonly Pending[]) => void {
  const statements = INSERT_ROWS.map((rows) => ({
    rows,
    stmt: db.prepare<unknown[]>(`INSERT INTO posts (channel, seq, author_id, text, at) VALUES ${Array(rows).fill('(?, ?, ?, ?, ?)').join(', ')}`),
  }));
  return (batch) => {
    let i = 0;
    for (const { rows, stmt } of statements) {
      while (batch.length - i >= rows) {
        const params: unknown[] = new Array(rows * 5);
        for (let r = 0; r < rows; r++) {
          const { channel, post } = batch[i + r] as Pending;
          params[r * 5] = channel;
          params[r * 5 + 1] = seq.next(channel);
          params[r * 5 + 2] = post.authorId;
          params[r * 5 + 3] = post.text;
          params[r * 5 + 4] = post.at;
        }
        stmt.run(params);
        i += rows;
      }
    }
  };
}

/** SQLite-backed HistoryStore: `append` queues, `commit` writes the queue in one transaction. */
export class SqliteHistoryStore implements HistoryStore {
  private readonly db: Database.Database;
  private readonly retainPerChannel: number;
  private readonly pruneSlack: number;
  private readonly maxPrunesPerBatch: number;
  private readonly maxChannels: number;
  /** Trims channels over their retention in steps of their own, after the turn's commit. */
  private readonly trimmer: PostTrimmer;
  private trimTimer: NodeJS.Immediate | undefined;
  private readonly onError: (error: HistoryStoreError) => void;
  private readonly writeBatch: (batch: readonly Pending[], admits: readonly PendingAdmit[]) => void;
  private readonly checkpointer: WalCheckpointer | undefined;
  private pending: Pending[] = [];
  private pendingAdmits: PendingAdmit[] = [];
  private closed = false;
  /** Posts written to disk since open. */
  written = 0;
  /** Commits that failed (nothing of them was stored). */
  failedCommits = 0;
  /** Trim steps that failed (the old posts stayed on disk). */
  failedTrims = 0;
  /** Channels deleted at open for exceeding `maxChannels`. */
  readonly prunedChannels: number;

  constructor(options: SqliteHistoryStoreOptions) {
    this.retainPerChannel = options.retainPerChannel ?? 1_000;
    this.pruneSlack = Math.max(1, options.pruneSlack ?? Math.ceil(this.retainPerChannel / 10));
    this.maxPrunesPerBatch = Math.max(1, options.maxPrunesPerBatch ?? 32);
    this.maxChannels = options.maxChannels ?? 10_000;
    this.onError = options.onError ?? (() => undefined);
    try {
      mkdirSync(options.dataDir, { recursive: true });
      this.db = new Database(join(options.dataDir, HISTORY_DB_FILE));
      // WAL: appends do not block readers, and with synchronous=NORMAL a commit is one WAL write
      // (durable across a process crash, which is what the batch-window promise is about).
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      // The cap holds for a migration too: one that does not fit fails the open and keeps the old table.
      if (options.maxPages !== undefined) this.db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxPages))}`);
      openLayout(this.db, { onProgress: options.onMigrationProgress });
      this.prunedChannels = this.pruneChannels(this.maxChannels);
    } catch (cause) {
      throw new HistoryStoreError('HISTORY_OPEN_FAILED', `cannot open history in ${options.dataDir}`, { cause });
    }
    this.checkpointer = this.startCheckpointer(join(options.dataDir, HISTORY_DB_FILE), options.checkpointIntervalMs ?? 500, options.walRestartFrames);
    const insert = multiRowInsert(this.db, new SeqClock(this.db, 2 * this.maxChannels));
    this.trimmer = new PostTrimmer(this.db, {
      retain: this.retainPerChannel,
      slack: this.pruneSlack,
      channelsPerStep: this.maxPrunesPerBatch,
      rowsPerStep: options.trimRowsPerStep,
      maxCounted: 2 * this.maxChannels,
    });
    const admit = this.db.prepare<[string, string]>('INSERT OR IGNORE INTO admitted (channel, peer_id) VALUES (?, ?)');
    // IMMEDIATE: the write lock first. A seq lookup (a read) as the transaction's first statement
    // made the insert an upgrade, which SQLite refuses at once (SQLITE_BUSY_SNAPSHOT, no busy wait)
    // when another worker of the box committed in between: the whole turn was refused.
    this.writeBatch = this.db.transaction((batch: readonly Pending[], admits: readonly PendingAdmit[]) => {
      for (const { channel, ids } of admits) for (const id of ids) admit.run(channel, id);
      insert(batch);
      for (const { channel } of batch) this.trimmer.wrote(channel);
    }).immediate;
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
      this.failedTrims += 1;
      this.onError(new HistoryStoreError('HISTORY_TRIM_FAILED', 'trimming old posts failed; they stay on disk until the next try', { cause }));
      return false;
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
    const keep = `SELECT channel FROM posts GROUP BY channel ORDER BY MAX(seq) DESC LIMIT ?`;
    const before = this.db.prepare<[], { n: number }>('SELECT COUNT(DISTINCT channel) AS n FROM posts').get()?.n ?? 0;
    if (before <= max) return 0;
    this.db.prepare<[number]>(`DELETE FROM posts WHERE channel NOT IN (${keep})`).run(max);
    return before - max;
  }

  /** The newest `limitPerChannel` (at most `retainPerChannel`) posts of every stored channel, oldest first. */
  loadAll(limitPerChannel: number): Map<string, Post[]> {
    this.assertOpen();
    this.commit();
    const rows = this.db
      .prepare<[number], PostRow>(
        `SELECT channel, author_id, text, at FROM (
           SELECT channel, author_id, text, at, seq,
                  ROW_NUMBER() OVER (PARTITION BY channel ORDER BY seq DESC) AS rn
           FROM posts)
         WHERE rn <= ? ORDER BY channel, seq`,
      )
      // Disk may hold up to `pruneSlack` more than the retention: never load those.
      .all(Math.min(limitPerChannel, this.retainPerChannel));
    const out = new Map<string, Post[]>();
    for (const r of rows) {
      let list = out.get(r.channel);
      if (!list) out.set(r.channel, (list = []));
      list.push({ authorId: r.author_id, text: r.text, at: r.at });
    }
    return out;
  }

  /** Every stored admission list (docs/protocol.md §8), IDs in the order they were admitted. */
  loadAdmissions(): Map<string, string[]> {
    this.assertOpen();
    this.commit();
    const rows = this.db.prepare<[], { channel: string; peer_id: string }>('SELECT channel, peer_id FROM admitted ORDER BY rowid').all();
    const out = new Map<string, string[]>();
    for (const r of rows) {
      const list = out.get(r.channel);
      if (list) list.push(r.peer_id);
      else out.set(r.channel, [r.peer_id]);
    }
    return out;
  }

  /** Queues peer IDs admitted to a private channel for the next {@link commit}, in the posts' transaction. */
  admit(channel: string, ids: readonly string[]): void {
    if (this.closed) {
      this.onError(new HistoryStoreError('HISTORY_CLOSED', `admission to ${channel} after close dropped`));
      return;
    }
    this.pendingAdmits.push({ channel, ids: [...ids] });
  }

  /** Queues one post for the next {@link commit}. */
  append(channel: string, post: Post): void {
    if (this.closed) {
      this.onError(new HistoryStoreError('HISTORY_CLOSED', `post to ${channel} after close dropped`));
      return;
    }
    this.pending.push({ channel, post });
  }

  /** Writes every queued post now, in one transaction; on failure none of them is stored. */
  commit(): CommitResult {
    const batch = this.pending;
    const admits = this.pendingAdmits;
    this.pending = [];
    this.pendingAdmits = [];
    if (batch.length === 0 && admits.length === 0) return { ok: true, posts: 0 };
    if (this.closed) return { ok: false, posts: batch.length, error: new HistoryStoreError('HISTORY_CLOSED', 'history store is closed') };
    try {
      this.writeBatch(batch, admits);
      this.written += batch.length;
      this.scheduleTrim();
      return { ok: true, posts: batch.length };
    } catch (cause) {
      // Disk full or I/O error: the transaction rolled back. The host refuses these posts; the
      // counts no longer match the disk, so recount when next written.
      this.failedCommits += 1;
      this.trimmer.forget();
      return { ok: false, posts: batch.length, error: new HistoryStoreError('HISTORY_WRITE_FAILED', `${batch.length} posts not stored`, { cause }) };
    }
  }

  /** Commits what is queued; a failure was already answered by the host (STORE_UNAVAILABLE; admitted IDs: queued again by it). */
  flush(): Promise<void> {
    this.commit();
    return Promise.resolve();
  }

  /** Number of posts queued and not yet on disk. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Flush and close the database; later appends are dropped and reported. Resolves once the checkpoint thread has exited too. */
  close(): Promise<void> {
    this.closeNow();
    return this.checkpointer?.stop() ?? Promise.resolve();
  }

  /** Synchronous {@link close}, for exit paths that cannot wait. */
  closeNow(): void {
    if (this.closed) return;
    this.commit();
    // What is still due is trimmed now: at close, a longer pause costs nobody a late echo.
    if (this.trimTimer !== undefined) clearImmediate(this.trimTimer);
    this.trimTimer = undefined;
    while (this.trimStep());
    this.closed = true;
    void this.checkpointer?.stop();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new HistoryStoreError('HISTORY_CLOSED', 'history store is closed');
  }
}
