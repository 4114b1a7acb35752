/**
 * The history file's tables, and the migration of data dirs written by older servers (README
 * "History and the data directory").
 *
 * Posts are stored in segments (post-segments.ts): a row holds up to SEGMENT_POSTS consecutive
 * posts of one channel, keyed by the seq of its newest post, imported from the journal in one
 * transaction per slice (journal-import.ts). Two older layouts are migrated at open: a rowid
 * table with an index on (channel, id) (before 2026-12) and a `WITHOUT ROWID` table of one row per
 * post keyed by (channel, seq). A row per post made SQLite's per-row work (binding five values,
 * a key search, a record, a delete when trimmed) most of a post's persistence cost (issue 13).
 */
import type Database from 'better-sqlite3';
import { encodeSegment, SEGMENT_POSTS } from './post-segments.js';
import type { Post } from '@ims/channel-core';

// A rowid table: segments are large rows (up to a few KiB), which SQLite keeps best in a table
// b-tree, appended at its end; the index finds a channel's segments in order.
const SEGMENTS_TABLE = `
CREATE TABLE segments (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  seq INTEGER NOT NULL,
  count INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE UNIQUE INDEX segments_by_channel ON segments (channel, seq)`;

// Admission lists of private channels (docs/protocol.md §8). Created here if missing, so a data dir
// of an older server gains it at open. Never pruned with the posts: churn must not free a name.
const ADMITTED_TABLE = `
CREATE TABLE IF NOT EXISTS admitted (
  channel TEXT NOT NULL,
  peer_id TEXT NOT NULL,
  UNIQUE (channel, peer_id)
)`;

// The last batch of each journal imported (journal-import.ts): a batch is imported exactly once.
const JOURNAL_TABLE = `
CREATE TABLE IF NOT EXISTS journal_state (
  name TEXT PRIMARY KEY,
  serial INTEGER NOT NULL
)`;

/** How the posts of an open file are laid out. */
type Layout = 'none' | 'segments' | 'clustered' | 'rowid';

function layoutOf(db: Database.Database): Layout {
  const has = (table: string): Set<string> =>
    new Set(db.prepare<[string], { name: string }>(`SELECT name FROM pragma_table_info(?)`).all(table).map((c) => c.name));
  if (has('segments').size > 0) return 'segments';
  const columns = has('posts');
  if (columns.size === 0) return 'none';
  if (columns.has('seq')) return 'clustered';
  if (columns.has('id')) return 'rowid';
  throw new Error(`unknown layout of the posts table (columns: ${[...columns].join(', ')})`);
}

/** Progress of a migration to segments, reported once per copied slice and once at the end. */
export interface MigrationProgress {
  /** Posts copied so far. */
  readonly copied: number;
  /** Posts to copy in all. */
  readonly total: number;
  /** True on the last report: the old table is gone and the new one committed. */
  readonly done: boolean;
}

/** Options of {@link openLayout}. */
export interface LayoutOptions {
  /** Posts copied between two progress reports of a migration. @default 50_000 */
  readonly sliceRows?: number;
  /** Called after each slice of a migration, and once when it committed. */
  readonly onProgress?: (progress: MigrationProgress) => void;
  /**
   * How long opening waits for another process's migration of the same file (the workers of one
   * box open it together; the first migrates, the others then find the new layout). @default 600_000
   */
  readonly waitMs?: number;
}

/**
 * Creates the tables if missing, or migrates an older file's posts into segments, in one
 * transaction: a crash or a full disk midway leaves the old table as it was, and the next open
 * migrates again. Old ids (rowid layout) or seqs become the segments' seqs, so each channel's
 * order and the recency of channels (pruning at open) are kept, and every later seq is larger (see
 * {@link SeqClock}).
 */
export function openLayout(db: Database.Database, options: LayoutOptions = {}): void {
  if (layoutOf(db) === 'segments') {
    db.exec(ADMITTED_TABLE);
    db.exec(JOURNAL_TABLE);
    return;
  }
  const busy = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${Math.max(busy, options.waitMs ?? 600_000)}`);
  try {
    // IMMEDIATE: the write lock first, then look again (another process may have migrated meanwhile).
    db.transaction(() => {
      const layout = layoutOf(db);
      if (layout !== 'segments') db.exec(SEGMENTS_TABLE);
      if (layout === 'rowid' || layout === 'clustered') migrate(db, layout === 'rowid' ? 'id' : 'seq', Math.max(1, options.sliceRows ?? 50_000), options.onProgress);
      db.exec(ADMITTED_TABLE);
      db.exec(JOURNAL_TABLE);
    }).immediate();
  } finally {
    db.pragma(`busy_timeout = ${busy}`);
  }
}

/** Packs the old table's posts into segments, channel by channel in order (inside the caller's transaction). */
function migrate(db: Database.Database, key: 'id' | 'seq', sliceRows: number, onProgress: ((p: MigrationProgress) => void) | undefined): void {
  // Every rowid data dir of an older server has the index; made here if not, so each slice is an index range.
  if (key === 'id') db.exec('CREATE INDEX IF NOT EXISTS posts_by_channel ON posts (channel, id)');
  const total = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM posts').get()?.n ?? 0;
  const insert = db.prepare<[string, number, number, Buffer]>('INSERT INTO segments (channel, seq, count, data) VALUES (?, ?, ?, ?)');
  type Row = { channel: string; seq: number; author_id: string; text: string; at: number };
  const columns = `SELECT channel, ${key} AS seq, author_id, text, at FROM posts`;
  const first = db.prepare<[number], Row>(`${columns} ORDER BY channel, ${key} LIMIT ?`);
  const after = db.prepare<[string, number, number], Row>(`${columns} WHERE (channel, ${key}) > (?, ?) ORDER BY channel, ${key} LIMIT ?`);
  let channel: string | undefined;
  let posts: Post[] = [];
  let last = 0;
  let copied = 0;
  const flush = (): void => {
    if (channel !== undefined && posts.length > 0) insert.run(channel, last, posts.length, encodeSegment(posts));
    posts = [];
  };
  // Slice by slice (a key range each; one connection cannot write while it iterates a read).
  for (let rows = first.all(sliceRows); rows.length > 0; rows = after.all(channel as string, last, sliceRows)) {
    for (const r of rows) {
      if (r.channel !== channel || posts.length >= SEGMENT_POSTS) {
        flush();
        channel = r.channel;
      }
      posts.push({ authorId: r.author_id, text: r.text, at: r.at });
      last = r.seq;
    }
    copied += rows.length;
    onProgress?.({ copied, total, done: false });
  }
  flush();
  // Dropping the table drops its index (and an AUTOINCREMENT table's sqlite_sequence row).
  db.exec('DROP TABLE posts');
  onProgress?.({ copied, total, done: true });
}

/**
 * Hands out each post's seq: increasing, and near the time in µs, so the channels most recently
 * posted to are the ones with the largest seq even when several processes (the workers of one
 * box) write the same file. The first post of a channel in this process also goes above what that
 * channel already has on disk, in case the clock went back since.
 */
export class SeqClock {
  private last = 0;
  private readonly checked = new Set<string>();
  private readonly newest: Database.Statement<[string], { seq: number | null }>;

  constructor(
    db: Database.Database,
    private readonly maxChecked: number,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.newest = db.prepare('SELECT MAX(seq) AS seq FROM segments WHERE channel = ?');
  }

  /** The next seq for a post of `channel` (call inside the posts' transaction). */
  next(channel: string): number {
    if (!this.checked.has(channel)) {
      // Bounded: forgetting costs each channel one more index lookup.
      if (this.checked.size >= this.maxChecked) this.checked.clear();
      this.checked.add(channel);
      this.last = Math.max(this.last, this.newest.get(channel)?.seq ?? 0);
    }
    this.last = Math.max(this.last + 1, Math.floor(this.nowMs() * 1000));
    return this.last;
  }

  /** Every later seq goes above `seq` (posts journaled and not yet in the table). */
  atLeast(seq: number): void {
    this.last = Math.max(this.last, seq);
  }

  /** A commit failed: what it looked up may be gone with it, look again. */
  forget(): void {
    this.checked.clear();
  }
}
