/**
 * Keeps each channel's posts on disk near its retention, in small steps of their own, after an
 * import. Trimming inside the posts' commit made that commit, and so every echo of the turn, wait
 * (a slice of 100 rows of the old rowid layout stalled the event loop ~1.6 ms every ~50 ms at
 * 100 channels × 20 posts/s). A step deletes at most `rowsPerStep` segments per channel, its
 * oldest, in its own transaction, and only whole segments: a channel keeps at least `retain` posts,
 * and fewer than `retain` plus its oldest segment's posts once trimmed.
 */
import type Database from 'better-sqlite3';

/** Options of {@link PostTrimmer}. */
export interface PostTrimmerOptions {
  /** Posts kept per channel at least. */
  readonly retain: number;
  /** Posts a channel may have beyond `retain` before it is trimmed. */
  readonly slack: number;
  /** Channels trimmed in one step at most. */
  readonly channelsPerStep: number;
  /** Segments deleted per channel in one step at most. @default 32 */
  readonly rowsPerStep?: number;
  /** Channels whose post counts are remembered at most (forgetting one costs it a count). */
  readonly maxCounted: number;
}

/** Trims channels over their retention, a few segments at a time. */
export class PostTrimmer {
  /**
   * Posts on disk per channel, exact once counted (the store is the only writer of its channels).
   * A channel not in here has an unknown count (not written since open): counted at its first step.
   */
  private readonly onDisk = new Map<string, number>();
  /** Channels to trim, oldest request first. */
  private readonly due = new Set<string>();
  private readonly rowsPerStep: number;
  private readonly count: Database.Statement<[string], { n: number }>;
  private readonly oldest: Database.Statement<[string, number], { seq: number; count: number }>;
  private readonly dropUpTo: Database.Statement<[string, number]>;
  private readonly stepTx: () => void;

  constructor(
    db: Database.Database,
    private readonly opts: PostTrimmerOptions,
  ) {
    this.rowsPerStep = Math.max(1, opts.rowsPerStep ?? 32);
    this.count = db.prepare('SELECT COALESCE(SUM(count), 0) AS n FROM segments WHERE channel = ?');
    this.oldest = db.prepare('SELECT seq, count FROM segments WHERE channel = ? ORDER BY seq LIMIT ?');
    this.dropUpTo = db.prepare('DELETE FROM segments WHERE channel = ? AND seq <= ?');
    // IMMEDIATE: a step starts with reads (counts), and the workers of a box share the file.
    this.stepTx = db.transaction(() => this.trimSome()).immediate;
  }

  /** Is a step due? */
  get pending(): boolean {
    return this.due.size > 0;
  }

  /** A segment of `posts` posts of `channel` was written (call inside its transaction, before it ends). */
  wrote(channel: string, posts: number): void {
    const n = this.onDisk.get(channel);
    if (n !== undefined) this.onDisk.set(channel, n + posts);
    if (n === undefined || n + posts > this.opts.retain + this.opts.slack) this.due.add(channel);
  }

  /** A write failed: the counts may not match the disk any more, count again when next written. */
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
      let n = this.onDisk.get(channel);
      if (n === undefined) {
        // Bounded: forgetting every count only costs each channel one more count.
        if (this.onDisk.size >= this.opts.maxCounted) this.onDisk.clear();
        n = this.count.get(channel)?.n ?? 0;
      }
      const rows = this.oldest.all(channel, this.rowsPerStep);
      let cut: number | undefined;
      for (const r of rows) {
        if (n - r.count < this.opts.retain) break;
        n -= r.count;
        cut = r.seq;
      }
      if (cut !== undefined) this.dropUpTo.run(channel, cut);
      this.onDisk.set(channel, n);
      // Still over after a full step: back in line, behind the channels already waiting.
      if (cut !== undefined && cut === rows.at(-1)?.seq && rows.length === this.rowsPerStep) this.due.add(channel);
    }
  }
}
