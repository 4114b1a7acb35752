/** The clustered posts table and the migration of older data dirs (history-layout.ts). */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Post } from '@ims/channel-core';
import { openLayout, SeqClock, type MigrationProgress } from './history-layout.js';
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
    const s = new SqliteHistoryStore({ dataDir: dir, checkpointIntervalMs: 0, ...opts });
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
    expect(tableSql(db, 'posts')).toMatch(/WITHOUT ROWID/);
    expect(tableSql(db, 'posts_by_channel')).toBeUndefined();
    db.close();
  });

  it('creates the clustered table in a new data dir', () => {
    open().closeNow();
    const db = new Database(join(dir, HISTORY_DB_FILE), { readonly: true });
    expect(tableSql(db, 'posts')).toMatch(/PRIMARY KEY \(channel, seq\)\s*\) WITHOUT ROWID/);
    expect(tableSql(db, 'admitted')).toBeDefined();
    db.close();
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
    const rows = db.prepare<[], { channel: string; seq: number; at: number }>('SELECT channel, seq, at FROM posts').all();
    expect(rows).toHaveLength(250);
    // Clustered by channel, each in the old insertion order (old id = seq).
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1], rows[i]] as [(typeof rows)[0], (typeof rows)[0]];
      expect(a.channel < b.channel || (a.channel === b.channel && a.seq < b.seq)).toBe(true);
      expect(b.at).toBe(b.seq - 1);
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
    expect(tableSql(db, 'posts')).not.toMatch(/WITHOUT ROWID/);
    expect(tableSql(db, 'posts_clustered')).toBeUndefined();
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
    expect(tableSql(after, 'posts')).not.toMatch(/WITHOUT ROWID/);
    expect(after.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM posts').get()?.n).toBe(2_000);
    after.close();
    // With room again, it migrates.
    expect([...open().loadAll(1_000).values()].reduce((n, list) => n + list.length, 0)).toBe(2_000);
  });
});

describe('SeqClock', () => {
  const db = new Database(':memory:');
  openLayout(db);
  db.prepare('INSERT INTO posts (channel, seq, author_id, text, at) VALUES (?, ?, ?, ?, ?)').run('#far', 8_000_000_000_000_000, 'a', 't', 1);

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
