/**
 * `--workers 2` (README "Workers"): real processes on loopback. Two channels whose homes differ are
 * hosted one per worker (per-worker metrics say so), posts and history work through the handoff,
 * a worker killed with SIGKILL is restarted and its members get in again by re-joining, and a
 * SIGTERM stops the workers with their posts flushed: a restart with the same N (and with N = 1)
 * serves them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerCommand } from '@ims/codec';
import { homeWorker } from '../src/workers/routing.js';
import { WRONG_WORKER } from '../src/workers/worker-host.js';
import { ServerProcess, TestClient, privateDiscoveryPort, scrapeUntil } from './harness.js';

const servers: ServerProcess[] = [];
const clients: TestClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.kill()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Two channel names, the first at home in worker 0, the second in worker 1 (of 2). */
function channelsOfBothWorkers(): [string, string] {
  const names = Array.from({ length: 32 }, (_, i) => `#w${i}`);
  const a = names.find((n) => homeWorker(n, 2) === 0);
  const b = names.find((n) => homeWorker(n, 2) === 1);
  if (a === undefined || b === undefined) throw new Error('no channel name for one of the workers');
  return [a, b];
}

async function start(args: readonly string[]): Promise<ServerProcess & { port: number; id: string; httpPort: number }> {
  const s = await ServerProcess.start(['--port', '0', '--discovery-port', String(privateDiscoveryPort()), '--http-port', '0', ...args]);
  servers.push(s);
  const line = await s.waitForLine((l) => l.event === 'listening');
  return Object.assign(s, { httpPort: line.httpPort as number });
}

async function joinAs(port: number, channel: string, id: string): Promise<TestClient> {
  const c = await TestClient.join(port, channel, id);
  clients.push(c);
  await c.waitFor(`STANDBY of ${channel}`, (r) => r.some((x) => x.cmd === 'STANDBY'));
  return c;
}

/** Posts `text` and waits for its echo. */
async function post(c: TestClient, text: string): Promise<void> {
  c.send({ cmd: 'SAY', text });
  await c.waitFor(`echo of ${text}`, (r) => r.some((x) => x.cmd === 'SAY' && x.text === text));
}

/** The texts a newcomer is sent as the history of `channel`. */
async function historyOf(port: number, channel: string): Promise<string[]> {
  const c = await TestClient.join(port, channel, 'checker');
  clients.push(c);
  const got = await c.waitFor('history, then STANDBY', (r: readonly ServerCommand[]) => r.some((x) => x.cmd === 'STANDBY'));
  c.destroy();
  return got.flatMap((x) => (x.cmd === 'SAY' ? [x.text] : []));
}

interface Health {
  readonly ok: boolean;
  readonly workers: readonly { readonly index: number; readonly pid: number; readonly ready: boolean; readonly restarts: number }[];
}

async function health(httpPort: number): Promise<Health> {
  return (await (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).json()) as Health;
}

describe('channel-server --workers 2', () => {
  it('hosts two channels in two workers, with posts and history through the handoff', async () => {
    const s = await start(['--workers', '2']);
    const [a, b] = channelsOfBothWorkers();
    const alice = await joinAs(s.port, a, 'alice');
    const bob = await joinAs(s.port, b, 'bob');
    await post(alice, 'in a');
    await post(bob, 'in b');
    const body = await scrapeUntil(`http://127.0.0.1:${s.httpPort}/metrics`, /ims_worker_channels\{worker="0"\} 1\n[^]*ims_worker_channels\{worker="1"\} 1\n/);
    expect(body).toMatch(/^ims_channels 2$/m);
    expect(body).toMatch(/^ims_connections 2$/m);
    expect(await historyOf(s.port, a)).toEqual(['in a']);
    expect(await historyOf(s.port, b)).toEqual(['in b']);
    // A second member of a channel lands in the same worker: it gets the post fanned out.
    const carol = await joinAs(s.port, a, 'carol');
    await post(alice, 'to both');
    await carol.waitFor('the fan-out', (r) => r.some((x) => x.cmd === 'SAY' && x.text === 'to both'));
    expect((await health(s.httpPort)).ok).toBe(true);
  });

  it('a connection whose first frame is no JOIN is served by worker 0, which takes a later JOIN only for a channel at home there', async () => {
    const s = await start(['--workers', '2']);
    const [a, b] = channelsOfBothWorkers();
    const early = await TestClient.connect(s.port);
    clients.push(early);
    early.send({ cmd: 'SAY', text: 'too early' });
    await early.waitFor('NOT_JOINED', (r) => r.some((x) => x.cmd === 'ERROR' && x.reason.startsWith('NOT_JOINED')));
    // b lives in worker 1: joining it here would split it, so the JOIN is refused and the connection closed.
    early.send({ cmd: 'JOIN', channel: b, clientId: 'early' });
    await early.closed;
    expect(early.received.at(-1)).toEqual({ cmd: 'ERROR', reason: WRONG_WORKER });
    const bob = await joinAs(s.port, b, 'bob');
    const again = await joinAs(s.port, b, 'early');
    await post(again, 'joined first this time');
    await bob.waitFor('the fan-out', (r) => r.some((x) => x.cmd === 'SAY' && x.text === 'joined first this time'));
    // a lives in worker 0: there a JOIN after another first frame is served.
    const late = await TestClient.connect(s.port);
    clients.push(late);
    late.send({ cmd: 'SAY', text: 'too early' });
    late.send({ cmd: 'JOIN', channel: a, clientId: 'late' });
    await late.waitFor('STANDBY', (r) => r.some((x) => x.cmd === 'STANDBY'));
    const body = await scrapeUntil(`http://127.0.0.1:${s.httpPort}/metrics`, /ims_worker_channels\{worker="0"\} 1\n/);
    expect(body).toMatch(/ims_worker_channels\{worker="1"\} 1\n/);
    expect(body).toMatch(/ims_worker_connections\{worker="1"\} 2\n/);
    expect(body).toMatch(/^ims_errors_total\{code="NOT_ACCEPTING"\} 1$/m);
  });

  it('restarts a worker killed with SIGKILL; its members get in again by re-joining', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ims-workers-'));
    dirs.push(dir);
    const s = await start(['--workers', '2', '--data-dir', dir]);
    const [a, b] = channelsOfBothWorkers();
    const alice = await joinAs(s.port, a, 'alice');
    const bob = await joinAs(s.port, b, 'bob');
    await post(bob, 'before the kill');
    const before = await health(s.httpPort);
    const victim = before.workers[homeWorker(b, 2)];
    if (victim === undefined) throw new Error('no worker 1 in /healthz');
    process.kill(victim.pid, 'SIGKILL');
    await bob.closed;
    await s.waitForLine((l) => l.event === 'worker.exited' && l.worker === victim.index && l.signal === 'SIGKILL');
    await s.waitForLine((l) => l.event === 'worker.restarted' && l.worker === victim.index);
    // The other worker's member never noticed.
    await post(alice, 'still here');
    const bob2 = await joinAs(s.port, b, 'bob');
    expect(bob2.says()).toEqual(['bob: before the kill']);
    await post(bob2, 'after the restart');
    const after = await health(s.httpPort);
    expect(after.workers[victim.index]).toMatchObject({ ready: true, restarts: 1 });
    expect(after.workers[victim.index]?.pid).not.toBe(victim.pid);
  });

  it('SIGTERM stops the workers with their posts flushed; a restart with the same N, and with N = 1, serves them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ims-workers-'));
    dirs.push(dir);
    const [a, b] = channelsOfBothWorkers();
    const s = await start(['--workers', '2', '--data-dir', dir]);
    const alice = await joinAs(s.port, a, 'alice');
    const bob = await joinAs(s.port, b, 'bob');
    for (let i = 0; i < 20; i++) {
      alice.send({ cmd: 'SAY', text: `a${i}` });
      bob.send({ cmd: 'SAY', text: `b${i}` });
    }
    await post(alice, 'a-last');
    await post(bob, 'b-last');
    s.child.kill('SIGTERM');
    expect(await s.exited).toEqual({ code: 0, signal: null });
    const expectedA = [...Array.from({ length: 20 }, (_, i) => `a${i}`), 'a-last'];
    const expectedB = [...Array.from({ length: 20 }, (_, i) => `b${i}`), 'b-last'];
    const again = await start(['--workers', '2', '--data-dir', dir]);
    expect(await historyOf(again.port, a)).toEqual(expectedA);
    expect(await historyOf(again.port, b)).toEqual(expectedB);
    again.child.kill('SIGTERM');
    expect(await again.exited).toEqual({ code: 0, signal: null });
    const single = await start(['--data-dir', dir]);
    expect(await historyOf(single.port, a)).toEqual(expectedA);
    expect(await historyOf(single.port, b)).toEqual(expectedB);
  });

  it('caps connections per IP for the whole box, and a closed connection in a worker frees its place', async () => {
    const s = await start(['--workers', '2', '--max-connections-per-ip', '2']);
    const [a, b] = channelsOfBothWorkers();
    const alice = await joinAs(s.port, a, 'alice');
    await joinAs(s.port, b, 'bob');
    // One in each worker: a third, whichever worker it would go to, is over the box's cap.
    const third = await TestClient.join(s.port, a, 'carol');
    clients.push(third);
    await third.closed;
    expect(third.received).toEqual([{ cmd: 'ERROR', reason: expect.stringMatching(/^MAX_CONNECTIONS_PER_IP:/) }]);
    alice.destroy();
    await scrapeUntil(`http://127.0.0.1:${s.httpPort}/metrics`, /^ims_connections 1$/m);
    // The worker sent `released` before the stats that show the close (one IPC channel, in order): the place is free.
    await joinAs(s.port, a, 'carol');
    expect(/^ims_errors_total\{code="MAX_CONNECTIONS_PER_IP"\} (\d+)$/m.exec(await (await fetch(`http://127.0.0.1:${s.httpPort}/metrics`)).text())?.[1]).not.toBe('0');
  });

  it('refuses --standby-for with --workers > 1 (usage error)', async () => {
    const s = ServerProcess.spawn(['--workers', '2', '--standby-for', 'all', '--discovery-port', String(privateDiscoveryPort())]);
    servers.push(s);
    expect((await s.exited).code).toBe(2);
  });
});
