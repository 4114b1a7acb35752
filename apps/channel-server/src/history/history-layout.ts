/**
 * The history file's tables, and the migration of data dirs written before 2026-12 (README
 * "History and the data directory").
 *
 * Posts are a `WITHOUT ROWID` table keyed by (channel, seq), so one channel's posts are stored
 * together: a turn's posts of one channel change one leaf page, one WAL frame per commit. The
 * older layout (a rowid table plus an index on (channel, id)) changed a table page and an index
 * page: two frames, four `pwrite`s per one-post commit, the largest share of the durable
 * acknowledgement's cost (issue 13).
 */
import type Database from 'better-sqlite3';

const POSTS_TABLE = (name: string): string => `
CREATE TABLE ${name} (
  channel TEXT NOT NULL,
  seq INTEGER NOT NULL,
  author_id TEXT NOT NULL,
  text TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (channel, seq)
) WITHOUT ROWID`;

// Admission lists of private channels (docs/protocol.md §8). Created here if missing, so a data dir
// of an older server gains it at open. Never pruned with the posts: churn must not free a name.
const ADMITTED_TABLE = `
CREATE TABLE IF NOT EXISTS admitted (
  channel TEXT NOT NULL,
  peer_id TEXT NOT NULL,
  UNIQUE (channel, peer_id)
)`;

/** How the posts table of an open file is laid out. */
type Layout = 'none' | 'clustered' | 'rowid';

function layoutOf(db: Database.Database): Layout {
  const columns = new Set(db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('posts')`).all().map((c) => c.name));
  if (columns.size === 0) return 'none';
  if (columns.has('seq')) return 'clustered';
  if (columns.has('id')) return 'rowid';
  throw new Error(`unknown layout of the posts table (columns: ${[...columns].join(', ')})`);
}

/** Progress of a migration to the clustered layout, reported once per copied slice and once at the end. */
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
  /** Posts copied per slice of a migration (each slice reports progress). @default 50_000 */
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
 * Creates the tables if missing, or migrates an older file's posts into the clustered layout, in
 * one transaction: a crash or a full disk midway leaves the old table as it was, and the next open
 * migrates again. Old ids become the seq, so each channel's order and the recency of channels
 * (pruning at open) are kept, and every later seq is larger (see {@link SeqClock}).
 */
export function openLayout(db: Database.Database, options: LayoutOptions = {}): void {
  if (layoutOf(db) === 'clustered') {
    db.exec(ADMITTED_TABLE);
    return;
  }
  const busy = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${Math.max(busy, options.waitMs ?? 600_000)}`);
  try {
    // IMMEDIATE: the write lock first, then look again (another process may have migrated meanwhile).
    db.transaction(() => {
      const layout = layoutOf(db);
      if (layout === 'none') db.exec(POSTS_TABLE('posts'));
      if (layout === 'rowid') migrate(db, Math.max(1, options.sliceRows ?? 50_000), options.onProgress);
      db.exec(ADMITTED_TABLE);
    }).immediate();
  } finally {
    db.pragma(`busy_timeout = ${busy}`);
  }
}

/** Copies the rowid table into the clustered one in key order, slice by slice (inside the caller's transaction). */
function migrate(db: Database.Database, sliceRows: number, onProgress: ((p: MigrationProgress) => void) | undefined): void {
  // Every data dir of an older server has the index; made here if not, so each slice is an index range.
  db.exec('CREATE INDEX IF NOT EXISTS posts_by_channel ON posts (channel, id)');
  db.exec(POSTS_TABLE('posts_clustered'));
  const total = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM posts').get()?.n ?? 0;
  const columns = 'INSERT INTO posts_clustered (channel, seq, author_id, text, at) SELECT channel, id, author_id, text, at FROM posts';
  const first = db.prepare<[number]>(`${columns} ORDER BY channel, id LIMIT ?`);
  const after = db.prepare<[string, number, number]>(`${columns} WHERE (channel, id) > (?, ?) ORDER BY channel, id LIMIT ?`);
  const last = db.prepare<[], { channel: string; seq: number }>('SELECT channel, seq FROM posts_clustered ORDER BY channel DESC, seq DESC LIMIT 1');
  let copied = first.run(sliceRows).changes;
  for (;;) {
    onProgress?.({ copied, total, done: false });
    const cursor = last.get();
    if (cursor === undefined) break;
    const n = after.run(cursor.channel, cursor.seq, sliceRows).changes;
    if (n === 0) break;
    copied += n;
  }
  // Dropping the table drops its index (and an AUTOINCREMENT table's sqlite_sequence row).
  db.exec('DROP TABLE posts; ALTER TABLE posts_clustered RENAME TO posts');
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
    this.newest = db.prepare('SELECT MAX(seq) AS seq FROM posts WHERE channel = ?');
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

  /** A commit failed: what it looked up may be gone with it, look again. */
  forget(): void {
    this.checked.clear();
  }
}
