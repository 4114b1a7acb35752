/**
 * Durable acknowledgement (docs/protocol.md §6.2 STORE_UNAVAILABLE): a real channel-server with
 * SQLite under continuous posting, killed with SIGKILL at a random moment and restarted on the
 * same data dir, must serve every post it echoed. And when the disk fills up, it refuses posts
 * instead of acknowledging them, and serves again by itself once space returns.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ServerCommand } from '@ims/codec';
import { ServerProcess, TestClient, privateDiscoveryPort, scrapeUntil } from './harness.js';
import { PostingAuthor } from './posting-author.js';

const servers: ServerProcess[] = [];
const clients: { destroy(): void }[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.kill()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Starts a server on `dataDir`; the flood limits (per connection and per address) are lifted so the authors post as fast as acknowledged. */
async function start(dataDir: string, extra: readonly string[] = []) {
  const args = ['--port', '0', '--discovery-port', String(privateDiscoveryPort()), '--data-dir', dataDir];
  const s = await ServerProcess.start([...args, '--flood-rate', '1000000', '--flood-burst', '1000000', '--flood-rate-per-ip', '1000000', '--flood-burst-per-ip', '1000000', '--history-per-channel', '100000', ...extra]);
  servers.push(s);
  return s;
}

async function author(port: number, channel: string, id: string, padding = 0): Promise<PostingAuthor> {
  const a = await PostingAuthor.start(port, channel, id, { window: 8, padding });
  clients.push(a);
  return a;
}

/** The texts a newcomer is sent as the history of `channel`. */
async function historyOf(port: number, channel: string): Promise<string[]> {
  const c = await TestClient.join(port, channel, 'checker');
  clients.push(c);
  const got = await c.waitFor('history, then STANDBY', (r: readonly ServerCommand[]) => r.some((x) => x.cmd === 'STANDBY'));
  c.destroy();
  return got.flatMap((x) => (x.cmd === 'SAY' ? [x.text] : []));
}

/** Every acknowledged post of `authors` is in the history of their channel, once. */
async function expectAllAcked(port: number, channels: ReadonlyMap<string, readonly PostingAuthor[]>): Promise<number> {
  let acked = 0;
  for (const [channel, authors] of channels) {
    const history = await historyOf(port, channel);
    const stored = new Set(history);
    expect(stored.size).toBe(history.length);
    for (const a of authors) {
      expect(a.mismatches).toEqual([]);
      const missing = a.acked.filter((t) => !stored.has(t));
      expect(missing, `${a.id}: acknowledged but not in the history after restart`).toEqual([]);
      acked += a.acked.length;
    }
  }
  return acked;
}

describe('durable acknowledgement (real SQLite, kill -9)', () => {
  it('loses no echoed post when the server is killed at a random moment, over three rounds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ims-durability-'));
    dirs.push(dir);
    let server = await start(dir);
    const channels = new Map<string, PostingAuthor[]>();
    const rounds: string[] = [];
    for (let round = 0; round < 3; round++) {
      const authors: PostingAuthor[] = [];
      for (const ch of ['a', 'b']) {
        const list = [await author(server.port, `#d${round}${ch}`, `p${round}${ch}1`), await author(server.port, `#d${round}${ch}`, `p${round}${ch}2`)];
        channels.set(`#d${round}${ch}`, list);
        authors.push(...list);
      }
      for (const a of authors) a.resume();
      // The kill comes at a random point of continuous posting: once this many echoes arrived.
      const target = 500 + Math.floor(Math.random() * 4000);
      const total = (): number => authors.reduce((n, a) => n + a.acked.length, 0);
      await Promise.race(authors.map((a) => a.until(`${target} echoes in all`, () => total() >= target)));
      await server.kill();
      for (const a of authors) await a.closed;
      server = await start(dir);
      const acked = await expectAllAcked(server.port, channels);
      rounds.push(`round ${round}: killed after ${total()} echoes this round; ${acked} acknowledged posts checked`);
    }
    // What each round did, for the test log.
    console.info(rounds.join('\n'));
  });
});

/** A tmpfs as a small disk: only root may mount one. */
function mountTmpfs(dir: string, size: string): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: cannot mount a tmpfs';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `mount -t tmpfs failed: ${String(err).split('\n')[0]}`;
  }
}

const mnt = mkdtempSync(join(tmpdir(), 'ims-diskfull-'));
const cannotMount = mountTmpfs(mnt, '8m');
if (cannotMount !== undefined) console.warn(`disk-full test skipped: ${cannotMount}`);

afterAll(() => {
  if (cannotMount === undefined) execFileSync('umount', ['-l', mnt], { stdio: 'pipe' });
  rmSync(mnt, { recursive: true, force: true });
});

/** Appends to `file` until the file system refuses (ENOSPC), in ever smaller blocks, so no space is left. */
function fill(file: string): void {
  const fd = openSync(file, 'a');
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10, 512, 1]) {
      const block = Buffer.alloc(size, 1);
      for (;;) {
        try {
          writeSync(fd, block);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe('a full disk (tmpfs)', () => {
  it.skipIf(cannotMount !== undefined)('refuses posts with STORE_UNAVAILABLE, loses nothing acknowledged, and recovers when space returns', async () => {
    const dataDir = join(mnt, 'data');
    mkdirSync(dataDir, { recursive: true });
    const server = await start(dataDir, ['--http-port', '0']);
    const metrics = `http://127.0.0.1:${String(server.lines.find((l) => l.event === 'listening')?.httpPort)}/metrics`;
    const a = await author(server.port, '#full', 'writer', 2_000);
    a.resume();
    await a.until('20 echoes before the disk fills', () => a.acked.length >= 20);
    const filler = join(mnt, 'filler');
    fill(filler);
    await a.until('posts refused with STORE_UNAVAILABLE', () => a.refused.length >= 10, 30_000);
    await a.pause();
    expect(new Set(a.refused.map((r) => r.code))).toEqual(new Set(['STORE_UNAVAILABLE']));
    await server.waitForLine((l) => l.event === 'host.store_unavailable');
    await scrapeUntil(metrics, /^ims_store_writable 0$/m);
    const ackedWhileFull = a.acked.length;
    rmSync(filler);
    a.resume();
    await a.until('echoes again once space returned', () => a.acked.length >= ackedWhileFull + 20, 30_000);
    await a.pause();
    await server.waitForLine((l) => l.event === 'host.store_recovered');
    await scrapeUntil(metrics, /^ims_store_writable 1$/m);
    expect(server.lines.filter((l) => l.event === 'host.store_unavailable')).toHaveLength(1);
    await server.kill();
    const again = await start(dataDir);
    const history = new Set(await historyOf(again.port, '#full'));
    expect(a.mismatches).toEqual([]);
    expect(a.acked.filter((t) => !history.has(t))).toEqual([]);
    expect(a.refused.filter((r) => history.has(r.text))).toEqual([]);
    console.info(`full disk: ${a.acked.length} posts acknowledged (${ackedWhileFull} before space returned), ${a.refused.length} refused, all acknowledged ones kept`);
  });
});
