import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerCommand } from '@ims/codec';
import { describeConfig } from '@ims/app-kit';
import { SERVER_CONFIG_SPEC } from '../src/config.js';
import { ServerProcess, TestClient, privateDiscoveryPort, scrapeUntil } from './harness.js';

const servers: ServerProcess[] = [];
const clients: TestClient[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ims-server-int-'));
  dirs.push(d);
  return d;
}

async function start(args: readonly string[] = []) {
  const s = await ServerProcess.start(['--port', '0', '--discovery-port', String(privateDiscoveryPort()), ...args]);
  servers.push(s);
  return s;
}

async function member(port: number, channel: string, id: string): Promise<TestClient> {
  const c = await TestClient.join(port, channel, id);
  clients.push(c);
  return c;
}

const hasStandby = (r: readonly ServerCommand[]) => r.some((c) => c.cmd === 'STANDBY');
const hasSay = (author: string, text: string) => (r: readonly ServerCommand[]) =>
  r.some((c) => c.cmd === 'SAY' && c.authorId === author && c.text === text);

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.kill()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('channel-server process', () => {
  it('announces its endpoint and ID, and serves JOIN, SAY and EXIT to raw clients', async () => {
    const s = await start(['--id', 'box-A']);
    expect(s.id).toBe('box-A');
    expect(s.port).toBeGreaterThanOrEqual(49_152);
    expect(s.port).toBeLessThanOrEqual(65_535);
    const alice = await member(s.port, '#room', 'alice');
    await alice.waitFor('STANDBY after JOIN', hasStandby);
    const bob = await member(s.port, '#room', 'bob');
    await bob.waitFor('STANDBY after JOIN', hasStandby);
    alice.send({ cmd: 'SAY', text: 'hello ☕' });
    // docs/protocol.md §2: fan-out to every member, the author included.
    await alice.waitFor('own echo', hasSay('alice', 'hello ☕'));
    await bob.waitFor('fan-out', hasSay('alice', 'hello ☕'));
    bob.send({ cmd: 'EXIT' });
    await bob.closed;
    const joined = await s.waitForLine((l) => l.event === 'host.joined' && l.peer === 'bob');
    expect(joined).toMatchObject({ channel: '#room', level: 'info' });
    expect(typeof joined.conn).toBe('string');
    expect([...alice.bad, ...bob.bad]).toEqual([]);
  });

  it('serves the same history, under the same ID, after a restart with the same --data-dir', async () => {
    const dir = tempDir();
    const first = await start(['--data-dir', dir]);
    await first.waitForLine((l) => l.event === 'history.sqlite');
    const alice = await member(first.port, '#log', 'alice');
    alice.send({ cmd: 'SAY', text: 'one' });
    alice.send({ cmd: 'SAY', text: 'two' });
    await alice.waitFor('both echoes', hasSay('alice', 'two'));
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    const second = await start(['--data-dir', dir]);
    // Without --id, the ID kept in the data directory survives the restart too.
    expect(second.id).toBe(first.id);
    const carol = await member(second.port, '#log', 'carol');
    const got = await carol.waitFor('history then STANDBY', hasStandby);
    // Architecture "History delimiter": stored posts come as SAYs before the first STANDBY.
    const beforeStandby = got.slice(0, got.findIndex((c) => c.cmd === 'STANDBY'));
    // History SAYs also carry their accept time (docs/protocol.md §2.8).
    expect(beforeStandby).toMatchObject([
      { cmd: 'SAY', authorId: 'alice', text: 'one' },
      { cmd: 'SAY', authorId: 'alice', text: 'two' },
    ]);
  });

  it('keeps every batch written before a crash (SIGKILL)', async () => {
    const dir = tempDir();
    const first = await start(['--data-dir', dir, '--http-port', '0']);
    const listening = await first.waitForLine((l) => l.event === 'listening');
    const alice = await member(first.port, '#crash', 'alice');
    for (let i = 0; i < 20; i++) alice.send({ cmd: 'SAY', text: `p${i}` });
    await alice.waitFor('all echoes', hasSay('alice', 'p19'));
    // Wait until the batch is on disk as the server reports it, then crash without any shutdown.
    const metrics = `http://127.0.0.1:${listening.httpPort as number}/metrics`;
    await scrapeUntil(metrics, /^ims_history_written_total 20$/m);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await start(['--data-dir', dir]);
    const bob = await member(second.port, '#crash', 'bob');
    await bob.waitFor('history then STANDBY', hasStandby);
    expect(bob.says()).toEqual(Array.from({ length: 20 }, (_, i) => `alice: p${i}`));
  });

  it('keeps history in memory without --data-dir and says so', async () => {
    const s = await start();
    const line = await s.waitForLine((l) => l.event === 'history.memory');
    expect(String(line.note)).toMatch(/memory/);
  });

  it('closes member connections on SIGTERM and exits 0', async () => {
    const s = await start();
    const a = await member(s.port, '#bye', 'a');
    const b = await member(s.port, '#bye', 'b');
    await a.waitFor('STANDBY', hasStandby);
    await b.waitFor('STANDBY', hasStandby);
    s.child.kill('SIGTERM');
    await Promise.all([a.closed, b.closed]);
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.lines.some((l) => l.event === 'stopped')).toBe(true);
  });

  /** A server whose graceful close is slow: a member that never reads keeps megabytes queued. */
  async function serverWithStuckMember(shutdownTimeout: string) {
    const s = await start(
      ['--shutdown-timeout', shutdownTimeout, '--close-timeout', '30s', '--send-queue-bytes', '64MiB'].concat(
        ['--flood-rate', '100000', '--flood-burst', '100000', '--flood-rate-per-ip', '100000', '--flood-burst-per-ip', '100000'],
      ),
    );
    const stuck = await member(s.port, '#slow', 'stuck');
    await stuck.waitFor('STANDBY', hasStandby);
    stuck.socket.pause();
    const writer = await member(s.port, '#slow', 'writer');
    const big = 'x'.repeat(60_000);
    // 300 × 60 kB is far beyond what loopback socket buffers hold for a reader that does not read.
    for (let i = 0; i < 300; i++) writer.send({ cmd: 'SAY', text: `${i} ${big}` });
    await writer.waitFor('own last echo', (r) => r.some((c) => c.cmd === 'SAY' && c.text.startsWith('299 ')));
    return s;
  }

  it('exits 1 when the shutdown passes its deadline', async () => {
    const s = await serverWithStuckMember('300ms');
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(1);
    expect(s.lines.some((l) => l.event === 'shutdown.timeout')).toBe(true);
  });

  it('exits 1 at once on a second signal during shutdown', async () => {
    const s = await serverWithStuckMember('50s');
    s.child.kill('SIGTERM');
    await s.waitForLine((l) => l.event === 'shutdown');
    s.child.kill('SIGINT');
    expect((await s.exited).code).toBe(1);
    expect(s.lines.some((l) => l.event === 'shutdown.forced')).toBe(true);
  });

  it('answers /healthz and /metrics on 127.0.0.1', async () => {
    const s = await start(['--http-port', '0', '--id', 'box-M']);
    const listening = await s.waitForLine((l) => l.event === 'listening');
    const base = `http://127.0.0.1:${listening.httpPort as number}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, id: 'box-M', port: s.port });
    const a = await member(s.port, '#m', 'a');
    a.send({ cmd: 'SAY', text: 'x' });
    await a.waitFor('echo', hasSay('a', 'x'));
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^ims_connections 1$/m);
    expect(text).toMatch(/^ims_channels 1$/m);
    expect(text).toMatch(/^ims_members 1$/m);
    expect(text).toMatch(/^ims_frames_in_total 2$/m);
    expect(text).toMatch(/^ims_fanout_latency_seconds_count 1$/m);
  });

  it('drops an oversize frame by closing only that connection', async () => {
    const s = await start(['--max-frame-bytes', '1KiB', '--http-port', '0']);
    const listening = await s.waitForLine((l) => l.event === 'listening');
    const good = await member(s.port, '#abuse', 'good');
    await good.waitFor('STANDBY', hasStandby);
    const bad = await TestClient.connect(s.port);
    clients.push(bad);
    const header = new Uint8Array([0, 0, 0x40, 0]); // 16 KiB body announced, over the 1 KiB limit
    bad.sendRaw(header);
    await bad.closed;
    good.send({ cmd: 'SAY', text: 'still here' });
    await good.waitFor('service continues', hasSay('good', 'still here'));
    const text = await (await fetch(`http://127.0.0.1:${listening.httpPort as number}/metrics`)).text();
    expect(text).toMatch(/^ims_errors_total\{code="FRAME_TOO_LARGE"\} 1$/m);
  });
});

describe('channel-server command line', () => {
  it('lists every flag with its default on --help and exits 0', async () => {
    const s = ServerProcess.spawn(['--help']);
    servers.push(s);
    expect((await s.exited).code).toBe(0);
    const help = s.stdout.replace(/\s+/g, ' ');
    for (const row of describeConfig(SERVER_CONFIG_SPEC)) expect(help).toContain(row.flag);
    for (const flag of ['--port', '--bind', '--interface', '--id', '--data-dir', '--announce-interval', '--http-port', '--standby-for', '--config']) {
      expect(help).toContain(`${flag} <`);
    }
    expect(help).toContain('(default: 2000)');
  });

  it('exits 2 naming the key for a bad value', async () => {
    const s = ServerProcess.spawn(['--port', '80']);
    servers.push(s);
    expect((await s.exited).code).toBe(2);
    expect(s.lines.map((l) => String(l.text)).join('\n')).toMatch(/'port'.*49152\.\.65535/);
  });

  it('exits 3 when the TCP port is taken', async () => {
    const a = await start();
    const b = ServerProcess.spawn(['--port', String(a.port), '--discovery-port', String(privateDiscoveryPort())]);
    servers.push(b);
    expect((await b.exited).code).toBe(3);
    expect(b.lines.some((l) => l.event === 'startup_failed')).toBe(true);
  });
});
