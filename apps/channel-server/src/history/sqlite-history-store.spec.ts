import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommitResult } from '@ims/host-service';
import { HISTORY_DB_FILE, HistoryStoreError, SqliteHistoryStore } from './sqlite-history-store.js';
import { SEGMENT_POSTS } from './post-segments.js';
import type { Post } from '@ims/channel-core';

const post = (n: number): Post => ({ authorId: `a${n}`, text: `t${n}`, at: n });

describe('SqliteHistoryStore', () => {
  let dir: string;
  const stores: SqliteHistoryStore[] = [];
  const open = (opts: Partial<ConstructorParameters<typeof SqliteHistoryStore>[0]> = {}) => {
    const s = new SqliteHistoryStore({ dataDir: dir, importThread: false, ...opts });
    stores.push(s);
    return s;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ims-history-'));
  });
  afterEach(async () => {
    vi.useRealTimers();
    // close() waits for the checkpoint thread, which may still be opening its connection.
    await Promise.all(stores.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the same history after reopening the directory', () => {
    const a = open();
    a.append('#a', post(1));
    a.append('#b', post(2));
    a.append('#a', post(3));
    a.closeNow();
    const b = open();
    expect(b.loadAll(10)).toEqual(
      new Map([
        ['#a', [post(1), post(3)]],
        ['#b', [post(2)]],
      ]),
    );
  });

  it('stores a large batch (multi-row inserts of 64, 16, 4 and 1) in order, across channels', () => {
    const a = open({ retainPerChannel: 1_000 });
    // 157 = 2×64 + 16 + 3×4 + 1: every statement size, the last rows in the single-row one.
    for (let n = 0; n < 157; n++) a.append(n % 3 === 0 ? '#x' : '#y', post(n));
    expect(a.commit()).toEqual({ ok: true, posts: 157 });
    a.closeNow();
    const all = Array.from({ length: 157 }, (_, n) => n);
    expect(open().loadAll(1_000)).toEqual(
      new Map([
        ['#x', all.filter((n) => n % 3 === 0).map(post)],
        ['#y', all.filter((n) => n % 3 !== 0).map(post)],
      ]),
    );
  });

  it('writes what was appended only at commit, in one transaction', () => {
    const s = open();
    s.append('#a', post(1));
    s.append('#a', post(2));
    expect(s.written).toBe(0);
    expect(s.pendingCount).toBe(2);
    expect(s.commit()).toEqual({ ok: true, posts: 2 });
    expect(s.written).toBe(2);
    expect(s.pendingCount).toBe(0);
    expect(s.commit()).toEqual({ ok: true, posts: 0 });
    s.closeNow();
    expect(open().loadAll(10).get('#a')).toEqual([post(1), post(2)]);
  });

  it('keeps journaling while the database refuses imports, then refuses commits past maxUnimportedPosts; every acknowledged post survives', () => {
    const errors: HistoryStoreError[] = [];
    const s = open({ maxPages: 8, maxUnimportedPosts: 20, onError: (e) => errors.push(e) });
    s.append('#a', post(1));
    expect(s.commit().ok).toBe(true);
    expect(s.importNow()).toBe(true);
    const big = { authorId: 'a', text: 'x'.repeat(4000), at: 2 };
    let failed: CommitResult | undefined;
    let acked = 0;
    for (let i = 0; i < 50 && failed === undefined; i++) {
      for (let j = 0; j < 5; j++) s.append('#a', { ...big, at: 100 + i });
      const r = s.commit();
      if (!r.ok) failed = r;
      else acked += 5;
      s.importNow();
    }
    expect(failed).toMatchObject({ ok: false, posts: 5 });
    expect((failed as { error: HistoryStoreError }).error.code).toBe('HISTORY_WRITE_FAILED');
    expect(s.failedCommits).toBe(1);
    expect(s.failedImports).toBeGreaterThan(0);
    // One report per streak of failed imports, not one per try.
    expect(errors.filter((e) => e.code === 'HISTORY_IMPORT_FAILED')).toHaveLength(1);
    expect(s.unimportedCount).toBeGreaterThan(0);
    expect(s.written).toBe(1 + acked);
    // Closed with posts the database refused: they stay in the journal and the next open (here
    // without the cap) imports them; the refused commit is nowhere.
    s.closeNow();
    const b = open();
    expect(b.recoveredPosts).toBe(s.unimportedCount);
    const stored = b.loadAll(1000).get('#a') ?? [];
    expect(stored).toHaveLength(1 + acked);
    expect(stored[0]).toEqual(post(1));
    expect(stored.slice(1).map((p) => p.at)).toEqual(Array.from({ length: acked }, (_, k) => 100 + Math.floor(k / 5)));
  });

  it('returns only the newest posts per channel, oldest first', () => {
    const s = open();
    for (let i = 0; i < 5; i++) s.append('#a', post(i));
    expect(s.loadAll(2).get('#a')).toEqual([post(3), post(4)]);
  });

  it('prunes each channel to its retention on disk', () => {
    const s = open({ retainPerChannel: 3 });
    for (let i = 0; i < 10; i++) s.append('#a', post(i));
    s.append('#b', post(99));
    s.commit();
    expect(s.loadAll(100).get('#a')).toEqual([7, 8, 9].map((n) => post(n)));
    expect(s.loadAll(100).get('#b')).toEqual([post(99)]);
  });

  const rowsOnDisk = (): number => {
    const db = new Database(join(dir, HISTORY_DB_FILE), { readonly: true });
    try {
      return (db.prepare('SELECT COALESCE(SUM(count), 0) AS n FROM segments').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  // The store trims on the next turn (setImmediate); an immediate queued after it runs after it.
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('trims a channel once it exceeds its retention by the slack, and never loads more than the retention', async () => {
    const s = open({ retainPerChannel: 5, pruneSlack: 3 });
    const counts: number[] = [];
    for (let i = 0; i < 20; i++) {
      s.append('#a', post(i));
      s.commit();
      s.importNow();
      await nextTurn();
      counts.push(rowsOnDisk());
      expect(s.loadAll(100).get('#a')).toEqual(Array.from({ length: Math.min(i + 1, 5) }, (_, k) => post(i - Math.min(i, 4) + k)));
    }
    // Grows to retention + slack, then drops back to the retention, in slices.
    expect(Math.max(...counts)).toBe(8);
    expect(counts.slice(7, 10)).toEqual([8, 5, 6]);
  });

  it('trims after the import, on the next turn, at most trimRowsPerStep segments per turn', async () => {
    const s = open({ retainPerChannel: 5, pruneSlack: 10, trimRowsPerStep: 4 });
    for (let i = 0; i < 5; i++) s.append('#a', post(i));
    s.commit();
    s.importNow();
    await nextTurn();
    for (let i = 5; i < 16; i++) {
      s.append('#a', post(i));
      s.commit();
      // The commit only journaled it.
      expect(rowsOnDisk()).toBe(i);
      // One import per post: a segment each.
      s.importNow();
    }
    expect(rowsOnDisk()).toBe(16);
    const counts: number[] = [];
    for (let t = 0; t < 4; t++) {
      await nextTurn();
      counts.push(rowsOnDisk());
    }
    // Four segments per step: the first import's (5 posts) and three of one post, then the three still over.
    expect(counts).toEqual([8, 5, 5, 5]);
    expect(s.loadAll(100).get('#a')).toEqual([11, 12, 13, 14, 15].map((n) => post(n)));
  });

  it('trims what is still due when closed', () => {
    const a = open({ retainPerChannel: 5, pruneSlack: 1, trimRowsPerStep: 2 });
    for (let i = 0; i < 5; i++) a.append('#a', post(i));
    a.commit();
    a.importNow();
    for (let i = 5; i < 9; i++) a.append('#a', post(i));
    a.commit();
    a.importNow();
    for (let i = 9; i < 12; i++) a.append('#a', post(i));
    a.closeNow();
    // Whole segments only: the first (5 posts) went, the second (4) and third (3) stay whole.
    expect(rowsOnDisk()).toBe(7);
  });

  it('stores an import of one channel in segments of at most SEGMENT_POSTS posts, and trims whole segments only', () => {
    const s = open({ retainPerChannel: 100, pruneSlack: 1 });
    // Two imports (100 posts, then 50): one import writes no more than the retention of a channel.
    for (let i = 0; i < 150; i++) {
      s.append('#a', post(i));
      if (i === 99 || i === 149) {
        s.commit();
        s.importNow();
      }
    }
    const segments = (): number[] => {
      const db = new Database(join(dir, HISTORY_DB_FILE), { readonly: true });
      try {
        return db.prepare<[], { count: number }>("SELECT count FROM segments WHERE channel = '#a' ORDER BY seq").all().map((r) => r.count);
      } finally {
        db.close();
      }
    };
    expect(segments()).toEqual([SEGMENT_POSTS, 100 - SEGMENT_POSTS, 50]);
    s.closeNow();
    // 150 is over 101, but dropping the oldest segment would leave 86, under the retention: all stay.
    expect(segments()).toEqual([SEGMENT_POSTS, 100 - SEGMENT_POSTS, 50]);
    const b = open({ retainPerChannel: 80, pruneSlack: 1 });
    b.append('#a', post(150));
    b.closeNow();
    // 151 on disk, keep ≥ 80: the oldest segment goes (87 left), the next would leave 51.
    expect(segments()).toEqual([100 - SEGMENT_POSTS, 50, 1]);
    expect(open({ retainPerChannel: 80 }).loadAll(1_000).get('#a')).toEqual(Array.from({ length: 80 }, (_, k) => post(71 + k)));
  });

  it("writes only a channel's newest posts up to the retention of one import: the older ones are past it already", () => {
    const s = open({ retainPerChannel: 5, pruneSlack: 100 });
    for (let i = 0; i < 12; i++) s.append('#busy', post(i));
    for (let i = 100; i < 103; i++) s.append('#quiet', post(i));
    expect(s.commit()).toEqual({ ok: true, posts: 15 });
    // Before the import the journal serves them: the newest five, as after it.
    expect(s.loadAll(100).get('#busy')).toEqual([7, 8, 9, 10, 11].map(post));
    s.importNow();
    expect(rowsOnDisk()).toBe(5 + 3);
    expect(s.loadAll(100).get('#busy')).toEqual([7, 8, 9, 10, 11].map(post));
    expect(s.loadAll(100).get('#quiet')).toEqual([100, 101, 102].map(post));
    s.closeNow();
    const again = open({ retainPerChannel: 5, pruneSlack: 100 });
    expect(again.loadAll(100).get('#busy')).toEqual([7, 8, 9, 10, 11].map(post));
    // Later posts take seqs above the kept ones: the order holds across the restart.
    again.append('#busy', post(12));
    again.closeNow();
    expect(open({ retainPerChannel: 5 }).loadAll(100).get('#busy')).toEqual([8, 9, 10, 11, 12].map(post));
  });

  it('trims channels already on disk over their retention when first written after reopening', () => {
    const a = open({ retainPerChannel: 100 });
    for (let i = 0; i < 20; i++) {
      a.append('#a', post(i));
      a.commit();
      a.importNow();
    }
    a.closeNow();
    const b = open({ retainPerChannel: 4, pruneSlack: 100 });
    b.append('#a', post(20));
    b.closeNow();
    const c = open({ retainPerChannel: 100 });
    expect(c.loadAll(100).get('#a')).toEqual([17, 18, 19, 20].map((n) => post(n)));
  });

  it('checkpoints the WAL into the database file from a worker thread', async () => {
    const s = open({ checkpointIntervalMs: 20 });
    const size0 = statSync(join(dir, HISTORY_DB_FILE)).size;
    for (let i = 0; i < 500; i++) s.append(`#c${i % 50}`, { authorId: `a${i}`, text: 'x'.repeat(200), at: i });
    s.commit();
    s.importNow();
    // SQLite's own checkpoints are off: only the worker moves pages from the -wal file into the database.
    await vi.waitFor(() => expect(statSync(join(dir, HISTORY_DB_FILE)).size).toBeGreaterThan(size0), { timeout: 10_000, interval: 20 });
  });

  it('keeps the WAL bounded under steady commits: the checkpoint thread restarts it once it holds walRestartFrames', async () => {
    const s = open({ checkpointIntervalMs: 10, walRestartFrames: 100 });
    const wal = join(dir, `${HISTORY_DB_FILE}-wal`);
    // The WAL header's checkpoint sequence number (bytes 12–15) counts the restarts.
    const restarts = (): number => {
      const fd = openSync(wal, 'r');
      try {
        const head = Buffer.alloc(16);
        readSync(fd, head, 0, 16, 0);
        return head.readUInt32BE(12);
      } finally {
        closeSync(fd);
      }
    };
    let n = 0;
    const turn = () => {
      for (let i = 0; i < 10; i++, n++) {
        s.append(`#c${n % 50}`, { authorId: 'a', text: 'x'.repeat(100), at: n });
        s.commit();
        // A SQLite commit per post: the steadiest writer the file can have.
        s.importNow();
      }
    };
    turn();
    const first = restarts();
    // Commits every turn: a passive checkpoint seldom finds a moment without one to let the WAL
    // start over (without the restarting checkpoint: 5 restarts took 86,000–134,000 commits here).
    while (n < 20_000) {
      turn();
      await nextTurn();
    }
    // With it: 25–50 restarts in 20,000 commits (100 frames each) on a loaded 2-core box.
    expect(restarts() - first).toBeGreaterThanOrEqual(5);
  });

  it('keeps only the most recently posted-to channels when reopened over its channel limit', () => {
    const a = open();
    for (const ch of ['#old', '#mid', '#new']) a.append(ch, post(1));
    a.append('#old', post(2)); // #old is now the most recent
    a.closeNow();
    const b = open({ maxChannels: 2 });
    expect(b.prunedChannels).toBe(1);
    expect([...b.loadAll(10).keys()].sort()).toEqual(['#new', '#old']);
  });

  it('keeps UTF-8 text and NUL-free ASCII ids intact', () => {
    const s = open();
    const p = { authorId: 'peer-1', text: 'héllo 🌍', at: 5 };
    s.append('#utf8', p);
    expect(s.loadAll(1).get('#utf8')).toEqual([p]);
  });

  it('reports appends after close instead of throwing', () => {
    const errors: HistoryStoreError[] = [];
    const s = open({ onError: (e) => errors.push(e) });
    s.closeNow();
    s.append('#a', post(1));
    expect(errors.map((e) => e.code)).toEqual(['HISTORY_CLOSED']);
  });

  it('fails to open with a typed error when the directory is a file', () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    let caught: unknown;
    try {
      new SqliteHistoryStore({ dataDir: file });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HistoryStoreError);
    expect((caught as HistoryStoreError).code).toBe('HISTORY_OPEN_FAILED');
  });

  it('uses WAL mode in the data directory', () => {
    const s = open();
    s.append('#a', post(1));
    s.commit();
    // In WAL mode a commit lands in the -wal file beside the database while it is open.
    expect(existsSync(join(dir, `${HISTORY_DB_FILE}-wal`))).toBe(true);
  });
});
