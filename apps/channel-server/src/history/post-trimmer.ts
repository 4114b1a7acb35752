/**
 * Keeps each channel's rows on disk near its retention, in small steps of their own, after the
 * turn's commit. Trimming inside the posts' commit made that commit, and so every echo of the turn,
 * wait: in the older rowid layout a channel's oldest rows sat on pages of their own (posts of many
 * channels interleaved), so deleting a slice of 100 of them rewrote ~100 pages and stalled the
 * event loop ~1.6 ms, which at 100 channels × 20 posts/s happened every ~50 ms. Now a step deletes
 * at most `rowsPerStep` rows per channel, in its own transaction, on the next turn: echoes go out
 * first, and a step is short (in the clustered layout a channel's oldest rows are adjacent, so a
 * step of one channel changes a page or two).
 */
import type Database from 'better-sqlite3';

/** Options of {@link PostTrimmer}. */
export interface PostTrimmerOptions {
  /** Rows kept per channel. */
  readonly retain: number;
  /** Rows a channel may have beyond `retain` before it is trimmed. */
  readonly slack: number;
  /** Channels trimmed in one step at most. */
  readonly channelsPerStep: number;
  /** Rows deleted per channel in one step at most. @default 32 */
  readonly rowsPerStep?: number;
  /** Channels whose row counts are remembered at most (forgetting one costs it a full count). */
  readonly maxCounted: number;
}

/** Trims channels over their retention, a few rows at a time. */
export class PostTrimmer {
  /**
   * Rows on disk per channel, exact once counted (the store is the only writer). A channel not in
   * here has an unknown count (not written since open): it is trimmed by a full index walk.
   */
  private readonly onDisk = new Map<string, number>();
  /** Channels to trim, oldest request first. */
  private readonly due = new Set<string>();
  private readonly rowsPerStep: number;
  private readonly pruneAll: Database.Statement<[string, string, number]>;
  private readonly count: Database.Statement<[string], { n: number }>;
  private readonly trimOldest: Database.Statement<[string, string, number]>;
  private readonly stepTx: () => void;

  constructor(
    db: Database.Database,
    private readonly opts: PostTrimmerOptions,
  ) {
    this.rowsPerStep = Math.max(1, opts.rowsPerStep ?? 32);
    // Keeps the newest `retain` rows of one channel: the row `retain` places below the newest marks
    // the cut. Walks the channel's whole index: only for channels of unknown count.
    this.pruneAll = db.prepare(`DELETE FROM posts WHERE channel = ? AND seq <= (SELECT seq FROM posts WHERE channel = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`);
    this.count = db.prepare('SELECT COUNT(*) AS n FROM posts WHERE channel = ?');
    // Deletes the `n` oldest rows of one channel, walking only those.
    this.trimOldest = db.prepare('DELETE FROM posts WHERE channel = ? AND seq <= (SELECT seq FROM posts WHERE channel = ? ORDER BY seq LIMIT 1 OFFSET ?)');
    // IMMEDIATE: a step may start with a read (the count), and the workers of a box share the file.
    this.stepTx = db.transaction(() => this.trimSome()).immediate;
  }

  /** Is a step due? */
  get pending(): boolean {
    return this.due.size > 0;
  }

  /** A post of `channel` was committed (call inside the posts' transaction, before it ends). */
  wrote(channel: string): void {
    const n = this.onDisk.get(channel);
    if (n !== undefined) this.onDisk.set(channel, n + 1);
    if (n === undefined || n + 1 > this.opts.retain + this.opts.slack) this.due.add(channel);
  }

  /** A commit failed: the counts may not match the disk any more, count again when next written. */
  forget(): void {
    this.onDisk.clear();
    this.due.clear();
  }

  /** One step in its own transaction; true when more is due. Throws what SQLite threw (the step rolled back). */
  step(): boolean {
    if (this.due.size === 0) return false;
    try {
      this.stepTx();
    } catch (err) {
      this.forget();
      throw err;
    }
    return this.due.size > 0;
  }

  private trimSome(): void {
    // Taken first: a channel still over after its slice goes back in line, not round again now.
    const batch: string[] = [];
    for (const channel of this.due) {
      if (batch.length >= this.opts.channelsPerStep) break;
      batch.push(channel);
    }
    for (const channel of batch) {
      this.due.delete(channel);
      const n = this.onDisk.get(channel);
      if (n === undefined) {
        this.pruneAll.run(channel, channel, this.opts.retain);
        // Bounded: forgetting every count only costs each channel one more full trim.
        if (this.onDisk.size >= this.opts.maxCounted) this.onDisk.clear();
        this.onDisk.set(channel, this.count.get(channel)?.n ?? 0);
      } else if (n > this.opts.retain) {
        const rows = Math.min(n - this.opts.retain, this.rowsPerStep);
        this.trimOldest.run(channel, channel, rows - 1);
        this.onDisk.set(channel, n - rows);
        // Still over: back in line, behind the channels already waiting.
        if (n - rows > this.opts.retain) this.due.add(channel);
      }
    }
  }
}
