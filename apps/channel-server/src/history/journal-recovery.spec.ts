/**
 * What the journal promises across a kill (journal-import.ts): every acknowledged post is imported
 * by the next open, exactly once. A kill is stood in for by copying the data dir while the store
 * is open (the database, its WAL and the journal as the kernel holds them at that moment), which
 * is what a process killed right then leaves behind.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Post } from '@ims/channel-core';
import Database from 'better-sqlite3';
import { HISTORY_DB_FILE, type HistoryStoreError, SqliteHistoryStore } from './sqlite-history-store.js';

const post = (n: number): Post => ({ authorId: `a${n}`, text: `t${n} ✓`, at: n });

describe('SqliteHistoryStore: the journal across a kill', () => {
  let root: string;
  const stores: SqliteHistoryStore[] = [];
  const open = (dir: string, opts: Partial<ConstructorParameters<typeof SqliteHistoryStore>[0]> = {}) => {
    const s = new SqliteHistoryStore({ dataDir: dir, importThread: false, checkpointIntervalMs: 0, importIntervalMs: 60_000, ...opts });
    stores.push(s);
    return s;
  };
  /** The data dir as a kill right now would leave it. */
  const killedCopy = (dir: string): string => {
    const copy = mkdtempSync(join(root, 'killed-'));
    cpSync(dir, copy, { recursive: true });
    return copy;
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ims-recovery-'));
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    rmSync(root, { recursive: true, force: true });
  });

  it('imports at the next open what was acknowledged (journaled) and not yet imported', () => {
    const dir = join(root, 'live');
    const s = open(dir);
    for (let i = 0; i < 3; i++) s.append('#a', post(i));
    s.admit('@p', ['alice']);
    expect(s.commit().ok).toBe(true);
    s.append('#b', post(3));
    expect(s.commit().ok).toBe(true);
    expect(s.unimportedCount).toBe(4);
    const after = open(killedCopy(dir));
    expect(after.recoveredPosts).toBe(4);
    expect(after.loadAll(10)).toEqual(
      new Map([
        ['#a', [post(0), post(1), post(2)]],
        ['#b', [post(3)]],
      ]),
    );
    expect(after.loadAdmissions().get('@p')).toEqual(['alice']);
  });

  it('imports nothing twice when killed after an import and before the journal was cut', () => {
    const dir = join(root, 'live');
    const s = open(dir);
    s.append('#a', post(1));
    s.commit();
    expect(s.importNow()).toBe(true);
    // The journal was only rewound: its bytes are still there, their serial recorded as imported.
    s.append('#a', post(2));
    s.commit();
    const after = open(killedCopy(dir));
    expect(after.recoveredPosts).toBe(1);
    expect(after.loadAll(10).get('#a')).toEqual([post(1), post(2)]);
    // And again from that state: still once each.
    after.closeNow();
    expect(open(killedCopy(dir)).loadAll(10).get('#a')).toEqual([post(1), post(2)]);
  });

  it('does not lose a post appended but not committed, nor keep one: only commits count', () => {
    const dir = join(root, 'live');
    const s = open(dir);
    s.append('#a', post(1));
    s.commit();
    s.append('#a', post(2));
    expect(open(killedCopy(dir)).loadAll(10).get('#a')).toEqual([post(1)]);
  });

  it("imports and deletes every worker's journal at a box's first open; a worker's open takes only its own", () => {
    const dir = join(root, 'box');
    const w0 = open(dir, { journalName: 'history-w0', recoverAllJournals: false });
    const w1 = open(dir, { journalName: 'history-w1', recoverAllJournals: false });
    w0.append('#zero', post(0));
    w0.commit();
    w1.append('#one', post(1));
    w1.commit();
    const killed = killedCopy(dir);
    // A restarted worker 1 finds its own journal only.
    const again1 = open(killed, { journalName: 'history-w1', recoverAllJournals: false });
    expect(again1.recoveredPosts).toBe(1);
    expect([...again1.loadAll(10).keys()]).toEqual(['#one']);
    again1.closeNow();
    expect(existsSync(join(killed, 'history-w0.journal'))).toBe(true);
    // The box restarted: its first open takes everything left, and no other journal remains.
    const first = open(killed);
    expect(first.recoveredPosts).toBe(1);
    expect([...first.loadAll(10).keys()].sort()).toEqual(['#one', '#zero']);
    expect(readdirSync(killed).filter((f) => f.endsWith('.journal'))).toEqual(['history.journal']);
  });

  it('starts on a full disk with a journal the database cannot take: serves it, journals on, and imports all once there is room', () => {
    const dir = join(root, 'live');
    const s = open(dir);
    s.append('#a', post(0));
    s.commit();
    s.importNow();
    const big = (n: number): Post => ({ authorId: 'a', text: `${n}:${'x'.repeat(3_000)}`, at: n });
    for (let i = 1; i <= 20; i++) s.append('#a', big(i));
    s.commit();
    const killed = killedCopy(dir);
    const pages = (() => {
      const db = new Database(join(killed, HISTORY_DB_FILE));
      try {
        return db.pragma('page_count', { simple: true }) as number;
      } finally {
        db.close();
      }
    })();
    const errors: HistoryStoreError[] = [];
    // Capped at its size, the file takes no import: a full disk at restart.
    const full = open(killed, { maxPages: pages, onError: (e) => errors.push(e) });
    expect(errors.map((e) => e.code)).toEqual(['HISTORY_IMPORT_FAILED']);
    expect(full.unimportedCount).toBe(20);
    expect(full.loadAll(1_000).get('#a')).toEqual([post(0), ...Array.from({ length: 20 }, (_, k) => big(k + 1))]);
    full.append('#a', post(21));
    full.admit('@p', ['alice']);
    expect(full.commit().ok).toBe(true);
    expect(full.loadAdmissions().get('@p')).toEqual(['alice']);
    full.closeNow();
    const roomy = open(killed);
    expect(roomy.recoveredPosts).toBe(21);
    expect(roomy.loadAll(1_000).get('#a')).toEqual([post(0), ...Array.from({ length: 20 }, (_, k) => big(k + 1)), post(21)]);
    expect(roomy.loadAdmissions().get('@p')).toEqual(['alice']);
  });

  it('opens over a journal of garbage (another program wrote it, a disk error), importing none of it, and journals afresh', () => {
    const dir = join(root, 'live');
    open(dir).closeNow();
    writeFileSync(join(dir, 'history.journal'), Buffer.concat([Buffer.from('IMSJ'), randomBytes(5_000)]));
    writeFileSync(join(dir, 'stray.journal'), randomBytes(100));
    const s = open(dir);
    expect(s.recoveredPosts).toBe(0);
    expect(s.loadAll(10).size).toBe(0);
    expect(existsSync(join(dir, 'stray.journal'))).toBe(false);
    s.append('#a', post(1));
    expect(s.commit().ok).toBe(true);
    expect(open(killedCopy(dir)).loadAll(10).get('#a')).toEqual([post(1)]);
  });

  it('imports in its thread, off the event loop: the rows appear without importNow, and the journal starts over', async () => {
    const dir = join(root, 'live');
    const s = open(dir, { importThread: true, importIntervalMs: 10, retainPerChannel: 50, pruneSlack: 5 });
    // The server serves only once both threads run: ready() resolves (it never hangs on a thread).
    await s.ready();
    for (let i = 0; i < 200; i++) {
      s.append(`#c${i % 2}`, post(i));
      s.commit();
    }
    await vi.waitFor(() => expect(s.unimportedCount).toBe(0), { timeout: 20_000, interval: 10 });
    const db = new Database(join(dir, HISTORY_DB_FILE), { readonly: true });
    try {
      // Trimmed by the thread too: each channel keeps at least its 50, in whole segments.
      const counts = db.prepare<[], { channel: string; n: number }>('SELECT channel, SUM(count) AS n FROM segments GROUP BY channel ORDER BY channel').all();
      expect(counts.map((c) => c.channel)).toEqual(['#c0', '#c1']);
      for (const c of counts) expect(c.n).toBeGreaterThanOrEqual(50);
    } finally {
      db.close();
    }
    s.append('#c0', post(200));
    s.commit();
    await s.close();
    const again = open(dir, { retainPerChannel: 50 });
    expect(again.recoveredPosts).toBe(0);
    expect(again.loadAll(100).get('#c0')?.at(-1)).toEqual(post(200));
  });

  it("writes no more of a channel than its retention in one of the thread's imports", async () => {
    const dir = join(root, 'burst');
    // No trimming (the slack is larger than the burst): what is on disk is what the import wrote.
    const s = open(dir, { importThread: true, importIntervalMs: 10, retainPerChannel: 50, pruneSlack: 10_000 });
    await s.ready();
    for (let i = 0; i < 300; i++) s.append('#big', post(i));
    s.append('#small', post(1_000));
    s.commit();
    await vi.waitFor(() => expect(s.unimportedCount).toBe(0), { timeout: 20_000, interval: 10 });
    const db = new Database(join(dir, HISTORY_DB_FILE), { readonly: true });
    try {
      const counts = db.prepare<[], { channel: string; n: number }>('SELECT channel, SUM(count) AS n FROM segments GROUP BY channel ORDER BY channel').all();
      expect(counts).toEqual([
        { channel: '#big', n: 50 },
        { channel: '#small', n: 1 },
      ]);
    } finally {
      db.close();
    }
    expect(s.loadAll(100).get('#big')).toEqual(Array.from({ length: 50 }, (_, k) => post(250 + k)));
  });

  it('leaves an empty journal after a clean close', () => {
    const dir = join(root, 'live');
    const s = open(dir);
    for (let i = 0; i < 100; i++) s.append('#a', post(i));
    s.commit();
    s.closeNow();
    expect(statSync(join(dir, 'history.journal')).size).toBe(0);
    const b = open(dir);
    expect(b.recoveredPosts).toBe(0);
    expect(b.loadAll(1_000).get('#a')).toHaveLength(100);
  });
});
