/**
 * A migration to the clustered layout killed midway (kill -9 of the process copying) leaves a data
 * dir that opens correctly next time: the copy was one uncommitted transaction, so the old table
 * is whole, and the next open migrates it (history-layout.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { HISTORY_DB_FILE, SqliteHistoryStore } from './sqlite-history-store.js';

const STORE = pathToFileURL(join(import.meta.dirname, 'sqlite-history-store.ts')).href;

// The child opens the store on the old dir and, at the first slice copied, reports it and blocks
// inside the migration's transaction, so the kill always lands midway.
const CHILD = `
import { writeSync } from 'node:fs';
const { SqliteHistoryStore } = await import(${JSON.stringify(STORE)});
new SqliteHistoryStore({
  dataDir: process.argv[1],
  checkpointIntervalMs: 0,
  onMigrationProgress: (p) => {
    writeSync(1, JSON.stringify(p) + '\\n');
    if (!p.done) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  },
});
writeSync(1, 'opened\\n');
`;

const POSTS = 120_000;
const CHANNELS = 40;

/** An old-layout data dir (rowid table and index, as servers before 2026-12 wrote it) with POSTS posts and two admission lists. */
function writeOldDir(dir: string): void {
  const db = new Database(join(dir, HISTORY_DB_FILE));
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE posts (id INTEGER PRIMARY KEY, channel TEXT NOT NULL, author_id TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL);
    CREATE INDEX posts_by_channel ON posts (channel, id);
    CREATE TABLE admitted (channel TEXT NOT NULL, peer_id TEXT NOT NULL, UNIQUE (channel, peer_id));`);
  const post = db.prepare('INSERT INTO posts (channel, author_id, text, at) VALUES (?, ?, ?, ?)');
  const admit = db.prepare('INSERT INTO admitted (channel, peer_id) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < POSTS; i++) post.run(`#c${i % CHANNELS}`, `a${i % 7}`, `post ${i}`, i);
    for (const [channel, id] of [['@p', 'alice'], ['@p', 'bob'], ['@q', 'carol']]) admit.run(channel, id);
  })();
  db.close();
}

/** Runs the child on `dir`; resolves with its first output line once it is killed after it. */
function migrateAndKill(dir: string): Promise<{ line: string; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, ['--conditions=@ims/source', '--import', 'tsx', '--input-type=module', '-e', CHILD, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let line = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const end = out.indexOf('\n');
      if (end >= 0 && line === '') {
        line = out.slice(0, end);
        child.kill('SIGKILL');
      }
    });
    child.once('error', reject);
    child.once('exit', (_code, signal) => (line === '' ? reject(new Error(`child exited before any progress: ${out}`)) : resolve({ line, signal })));
  });
}

describe('history migration killed midway (kill -9)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('leaves the old table whole, and the next open migrates every post and admission list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ims-migrate-kill-'));
    dirs.push(dir);
    writeOldDir(dir);
    const { line, signal } = await migrateAndKill(dir);
    expect(signal).toBe('SIGKILL');
    expect(JSON.parse(line)).toEqual({ copied: 50_000, total: POSTS, done: false });

    const after = new Database(join(dir, HISTORY_DB_FILE), { readonly: true });
    const tables = after.prepare<[], { name: string; sql: string }>(`SELECT name, sql FROM sqlite_master WHERE type = 'table'`).all();
    expect(tables.map((t) => t.name).sort()).toEqual(['admitted', 'posts']);
    expect(tables.find((t) => t.name === 'posts')?.sql).not.toMatch(/WITHOUT ROWID/);
    expect(after.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM posts').get()?.n).toBe(POSTS);
    after.close();

    const store = new SqliteHistoryStore({ dataDir: dir, retainPerChannel: POSTS, checkpointIntervalMs: 0 });
    try {
      const all = store.loadAll(POSTS);
      expect(all.size).toBe(CHANNELS);
      for (let c = 0; c < CHANNELS; c++) {
        const texts = all.get(`#c${c}`)?.map((p) => p.text);
        expect(texts).toEqual(Array.from({ length: POSTS / CHANNELS }, (_, k) => `post ${k * CHANNELS + c}`));
      }
      expect(store.loadAdmissions()).toEqual(
        new Map([
          ['@p', ['alice', 'bob']],
          ['@q', ['carol']],
        ]),
      );
    } finally {
      await store.close();
    }
  });
});
