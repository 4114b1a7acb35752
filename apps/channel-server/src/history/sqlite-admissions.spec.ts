/** Admission lists of private channels in the SQLite store (docs/protocol.md §8). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HISTORY_DB_FILE, SqliteHistoryStore } from './sqlite-history-store.js';

const post = (n: number) => ({ authorId: `a${n}`, text: `t${n}`, at: n });

describe('SqliteHistoryStore: admission lists', () => {
  let dir: string;
  const stores: SqliteHistoryStore[] = [];
  const open = (opts: Partial<ConstructorParameters<typeof SqliteHistoryStore>[0]> = {}) => {
    const s = new SqliteHistoryStore({ dataDir: dir, importThread: false, checkpointIntervalMs: 0, ...opts });
    stores.push(s);
    return s;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ims-admitted-'));
  });
  afterEach(async () => {
    // close() waits for the checkpoint thread, which may still be opening its connection.
    await Promise.all(stores.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the lists across a reopen, in the order admitted, an ID stored twice once', () => {
    const a = open();
    a.admit('@p', ['alice']);
    expect(a.commit()).toEqual({ ok: true, posts: 0 });
    a.admit('@p', ['bob', 'alice']);
    a.admit('@q', ['carol']);
    a.closeNow();
    expect(open().loadAdmissions()).toEqual(
      new Map([
        ['@p', ['alice', 'bob']],
        ['@q', ['carol']],
      ]),
    );
  });

  it('writes admitted IDs only at commit, and none of a commit refused while the database is full', () => {
    const s = open({ maxPages: 8, maxUnimportedPosts: 20 });
    s.admit('@p', ['alice']);
    s.commit();
    const big = { authorId: 'a', text: 'x'.repeat(4000), at: 2 };
    let failedAt = -1;
    for (let i = 0; i < 50 && failedAt < 0; i++) {
      s.admit('@p', [`id-${i}`]);
      for (let j = 0; j < 5; j++) s.append('#a', big);
      if (!s.commit().ok) failedAt = i;
      s.importNow();
    }
    expect(failedAt).toBeGreaterThan(0);
    s.closeNow();
    // Reopened without the cap, the journal's batches are imported: every acknowledged ID, not the refused one.
    const b = open();
    const ids = b.loadAdmissions().get('@p') ?? [];
    expect(ids).toEqual(['alice', ...Array.from({ length: failedAt }, (_, i) => `id-${i}`)]);
    expect(b.loadAll(1000).get('#a')).toHaveLength(failedAt * 5);
  });

  it('is never pruned with the posts of channels over the channel limit', () => {
    const a = open();
    a.admit('@old', ['alice']);
    a.append('@old', post(1));
    for (const ch of ['#b', '#c']) a.append(ch, post(2));
    a.closeNow();
    const b = open({ maxChannels: 2 });
    expect(b.prunedChannels).toBe(1);
    expect(b.loadAdmissions().get('@old')).toEqual(['alice']);
  });

  it('opens a data dir of an older server without the table, keeping its posts and gaining the lists', () => {
    const db = new Database(join(dir, HISTORY_DB_FILE));
    db.exec('CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, author_id TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL)');
    db.prepare('INSERT INTO posts (channel, author_id, text, at) VALUES (?, ?, ?, ?)').run('@p', 'alice', 'old', 1);
    db.close();
    const s = open();
    expect(s.loadAll(10).get('@p')).toEqual([{ authorId: 'alice', text: 'old', at: 1 }]);
    expect(s.loadAdmissions().size).toBe(0);
    s.admit('@p', ['alice']);
    s.append('@p', { authorId: 'alice', text: 'new', at: 2 });
    s.commit();
    expect(s.loadAdmissions().get('@p')).toEqual(['alice']);
    // The old AUTOINCREMENT table takes new posts after the old ones.
    expect(s.loadAll(10).get('@p')?.map((p) => p.text)).toEqual(['old', 'new']);
  });
});
