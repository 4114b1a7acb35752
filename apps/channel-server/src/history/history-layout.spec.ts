/** The segments table and the migration of older data dirs (history-layout.ts). */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Post } from '@ims/channel-core';
import { openLayout, SeqClock, type MigrationProgress } from './history-layout.js';
import { decodeSegment, encodeSegment } from './post-segments.js';
import { HISTORY_DB_FILE, HistoryStoreError, SqliteHistoryStore } from './sqlite-history-store.js';

/**
 * history.db: the history file of a data dir written by the server as of a7fd24a (rowid posts
 * table, index on (channel, id)), named so the ignore rule for data files passes it:
 * #a trimmed to a retention of 20, #b with UTF-8 and an overflowing 5,000-character post, @p and
 * @q with admission lists (@q without posts). expected.json is what that server loaded from it.
 */
const FIXTURE = join(import.meta.dirname, 'fixtures', 'layout-v1');
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as {
  posts: Record<string, Post[]>;
  admissions: Record<string, string[]>;
};

/** The old layout, as the server before 2026-12 created it. */
const OLD_SCHEMA = `
CREATE TABLE posts (id INTEGER PRIMARY KEY, channel TEXT NOT NULL, author_id TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX posts_by_channel ON posts (channel, id);`;

const tableSql = (db: Database.Database, name: string): string | undefined =>
  db.prepare<[string], { sql: string }>(`SELECT sql FROM sqlite_master WHERE name = ?`).get(name)?.sql;

describe('history layout', () => {
  let dir: string;
  const stores: SqliteHistoryStore[] = [];
  const open = (opts: Partial<ConstructorParameters<typeof SqliteHistoryStore>[0]> = {}) => {
    const s = new SqliteHistoryStore({ dataDir: dir, importThread: false, checkpointIntervalMs: 0, ...opts });
    stores.push(s);
    return s;
  };
  /** An old-layout file in `dir` with `n` posts spread over 7 channels, ids in insertion order. */
  const writeOld = (n: number): Database.Database => {
    const db = new Database(join(dir, HISTORY_DB_FILE));
    db.exec(OLD_SCHEMA);
    const insert = db.prepare('INSERT INTO posts (channel, author_id, text, at) VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < n; i++) insert.run(`#c${i % 7}`, `a${i}`, `t${i}`, i);
    })();
    return db;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ims-layout-'));
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens a data dir of the previous server and finds every post and admission list', () => {
    copyFileSync(join(FIXTURE, 'history.db'), join(dir, HISTORY_DB_FILE));
    const progress: MigrationProgress[] = [];
    const s = open({ onMigrationProgress: (p) => progress.push(p) });
    expect(Object.fromEntries(s.loadAll(1_000))).toEqual(expected.posts);
    expect(Object.fromEntries(s.loadAdmissions())).toEqual(expected.admissions);
    expect(progress.at(-1)).toEqual({ copied: 32, total: 32, done: true });
    // New posts go after the old ones, and it all survives a reopen (which migrates nothing).
    s.append('#a', { authorId: 'x', text: 'new', at: 1 });
    s.admit('@q', ['dave']);
    s.closeNow();
    progress.length = 0;
    const again = open();
    expect(progress).toEqual([]);
    expect(again.loadAll(1_000).get('#a')).toEqual([...(expected.posts['#a'] ?? []), { authorId: 'x', text: 'new', at: 1 }]);
    expect(again.loadAdmissions().get('@q')).toEqual(['carol', 'dave']);
    const db = new Database(join(dir, HISTORY_DB_FILE), { readonly: true });
    expect(tableSql(db, 'segments')).toBeDefined();
    expect(tableSql(db, 'posts')).toBeUndefined();
    expect(tableSql(db, 'posts_by_channel')).toBeUndefined();
    db.close();
  });

  it('creates the segments table in a new data dir', () => {
    open().closeNow();
    const db = new Database(join(dir, HISTORY_DB_FILE), { readonly: true });
    expect(tableSql(db, 'segments')).toMatch(/count INTEGER NOT NULL/);
    expect(tableSql(db, 'segments_by_channel')).toMatch(/UNIQUE INDEX segments_by_channel ON segments \(channel, seq\)/);
    expect(tableSql(db, 'admitted')).toBeDefined();
    expect(tableSql(db, 'journal_state')).toBeDefined();
    db.close();
  });

  it('migrates the one-row-per-post clustered table of the previous server into segments', () => {
    const db = new Database(join(dir, HISTORY_DB_FILE));
    db.exec(`CREATE TABLE posts (channel TEXT NOT NULL, seq INTEGER NOT NULL, author_id TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (channel, seq)) WITHOUT ROWID;
      CREATE TABLE admitted (channel TEXT NOT NULL, peer_id TEXT NOT NULL, UNIQUE (channel, peer_id));`);
    const insert = db.prepare('INSERT INTO posts (channel, seq, author_id, text, at) VALUES (?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 200; i++) insert.run(`#c${i % 2}`, 1_000 + i, `a${i}`, `t${i}`, i);
    })();
    db.prepare('INSERT INTO admitted VALUES (?, ?)').run('@p', 'alice');
    db.close();
    const s = open();
    const all = s.loadAll(1_000);
    expect(all.get('#c0')).toEqual(Array.from({ length: 100 }, (_, k) => ({ authorId: `a${2 * k}`, text: `t${2 * k}`, at: 2 * k })));
    expect(all.get('#c1')).toHaveLength(100);
    expect(s.loadAdmissions().get('@p')).toEqual(['alice']);
    // Later posts go after the old seqs (the SeqClock looks at the segments' newest seq).
    s.append('#c1', { authorId: 'x', text: 'new', at: 1 });
    s.closeNow();
    expect(open().loadAll(1_000).get('#c1')?.at(-1)).toEqual({ authorId: 'x', text: 'new', at: 1 });
  });

  it('copies slice by slice, reporting each, and keeps every channel in order', () => {
    const db = writeOld(250);
    const progress: MigrationProgress[] = [];
    openLayout(db, { sliceRows: 100, onProgress: (p) => progress.push(p) });
    expect(progress).toEqual([
      { copied: 100, total: 250, done: false },
      { copied: 200, total: 250, done: false },
      { copied: 250, total: 250, done: false },
      { copied: 250, total: 250, done: true },
    ]);
    const rows = db.prepare<[], { channel: string; seq: number; count: number; data: Uint8Array }>('SELECT channel, seq, count, data FROM segments ORDER BY channel, seq').all();
    // 250 posts over 7 channels: 36 or 35 each, one segment per channel; each in the old insertion
    // order, the segment's seq the old id of its newest post.
    expect(rows.map((r) => r.count).reduce((a, b) => a + b, 0)).toBe(250);
    for (const r of rows) {
      const posts = decodeSegment(r.data);
      expect(posts).toHaveLength(r.count);
      const c = Number(r.channel.slice(2));
      expect(posts.map((p) => p.at)).toEqual(Array.from({ length: r.count }, (_, k) => c + 7 * k));
      expect(r.seq).toBe((posts.at(-1)?.at ?? 0) + 1);
    }
    db.close();
  });

  it('leaves the old table as it was when the migration fails midway, and migrates at the next open', () => {
    const db = writeOld(300);
    let slices = 0;
    expect(() =>
      openLayout(db, {
        sliceRows: 100,
        onProgress: () => {
          if (++slices === 2) throw new Error('crash stand-in');
        },
      }),
    ).toThrow('crash stand-in');
    expect(tableSql(db, 'segments')).toBeUndefined();
    expect(db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM posts').get()?.n).toBe(300);
    db.close();
    const s = open();
    const all = s.loadAll(1_000);
    expect([...all.values()].reduce((n, list) => n + list.length, 0)).toBe(300);
    expect(all.get('#c0')?.slice(0, 2)).toEqual([
      { authorId: 'a0', text: 't0', at: 0 },
      { authorId: 'a7', text: 't7', at: 7 },
    ]);
  });

  it('refuses to open with a typed error when the disk cannot take the migration, the old table kept', () => {
    const db = writeOld(2_000);
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.close();
    // Capped at its size, the file cannot take the copy (as on a full disk).
    let caught: unknown;
    try {
      open({ maxPages: pages });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HistoryStoreError);
    expect((caught as HistoryStoreError).code).toBe('HISTORY_OPEN_FAILED');
    expect(String((caught as HistoryStoreError).cause)).toMatch(/full/i);
    const after = new Database(join(dir, HISTORY_DB_FILE), { readonly: true });
    expect(tableSql(after, 'segments')).toBeUndefined();
    expect(after.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM posts').get()?.n).toBe(2_000);
    after.close();
    // With room again, it migrates.
    expect([...open().loadAll(1_000).values()].reduce((n, list) => n + list.length, 0)).toBe(2_000);
  });
});

describe('SeqClock', () => {
  const db = new Database(':memory:');
  openLayout(db);
  db.prepare('INSERT INTO segments (channel, seq, count, data) VALUES (?, ?, ?, ?)').run('#far', 8_000_000_000_000_000, 1, encodeSegment([{ authorId: 'a', text: 't', at: 1 }]));

  it('follows the clock in µs, and stays increasing when the clock goes back', () => {
    let now = 1_000;
    const clock = new SeqClock(db, 10, () => now);
    expect(clock.next('#a')).toBe(1_000_000);
    expect(clock.next('#a')).toBe(1_000_001);
    now = 500;
    expect(clock.next('#b')).toBe(1_000_002);
    now = 2_000;
    expect(clock.next('#a')).toBe(2_000_000);
  });

  it("goes above what a channel already has on disk on that channel's first post", () => {
    const clock = new SeqClock(db, 10, () => 1_000);
    expect(clock.next('#far')).toBe(8_000_000_000_000_001);
    expect(clock.next('#a')).toBe(8_000_000_000_000_002);
  });
});
