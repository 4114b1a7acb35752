import { encodeFrame } from '@ims/codec';
import { BehaviorSubject, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, isError, isSay, isStandby } from '../test/raw-client.js';
import { memoryHistoryStore } from './history-store.js';
import type { DiscoveredPeer, HostDiscovery } from './host-discovery.js';
import type { HostLimits } from './host-limits.js';
import type { HostService } from './host-service-types.js';
import { startHostService } from './host-service.js';
import type { HistoryStore } from './history-store.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function fakeDiscovery() {
  const peers$ = new BehaviorSubject<readonly DiscoveredPeer[]>([]);
  const servers: ({ port: number; channels: readonly string[] } | undefined)[] = [];
  const invites: { channel: string; clientIds: readonly string[] }[] = [];
  const discovery: HostDiscovery = {
    peers$,
    setServer: (s) => servers.push(s),
    invite: (channel, clientIds) => invites.push({ channel, clientIds }),
  };
  return { discovery, peers$, servers, invites };
}

async function start(limits: HostLimits = {}, extra: { store?: HistoryStore; discovery?: HostDiscovery } = {}): Promise<HostService> {
  const svc = await startHostService({ peerId: 'host-1', limits, ...extra });
  cleanup.push(() => svc.stop());
  return svc;
}

async function client(svc: HostService, localAddress?: string): Promise<RawClient> {
  const c = await RawClient.connect(svc.endpoint.port, '127.0.0.1', localAddress);
  cleanup.push(() => c.close());
  return c;
}

async function joined(svc: HostService, channel: string, id: string): Promise<RawClient> {
  const c = await client(svc);
  c.send({ cmd: 'JOIN', channel, clientId: id });
  await c.next(isStandby);
  return c;
}

describe('host service over loopback', () => {
  it('serves join, fan-out to every member (author included), exit', async () => {
    const d = fakeDiscovery();
    const svc = await start({}, { discovery: d.discovery });
    expect(d.servers[0]).toEqual({ port: svc.endpoint.port, channels: [] });
    const a = await joined(svc, '#room', 'alice');
    expect(d.servers.at(-1)).toEqual({ port: svc.endpoint.port, channels: ['#room'] });
    const b = await joined(svc, '#room', 'bob');
    a.send({ cmd: 'SAY', text: 'hello' });
    for (const c of [a, b]) expect(await c.next(isSay('hello'))).toEqual({ cmd: 'SAY', authorId: 'alice', text: 'hello' });
    b.send({ cmd: 'EXIT' });
    await b.waitClosed();
    a.send({ cmd: 'SAY', text: 'still here' });
    await a.next(isSay('still here'));
    expect(svc.stats()).toMatchObject({ channels: 1, members: 1, connections: 1 });
    expect(svc.stats().fanoutLatency.count).toBe(2);
  });

  it('delivers every post to every member in one order, whoever posts', async () => {
    const svc = await start();
    const ids = ['m0', 'm1', 'm2', 'm3', 'm4'];
    const clients = [];
    for (const id of ids) clients.push(await joined(svc, '#order', id));
    // Everyone posts at once, three posts each, in one write per client.
    clients.forEach((c, i) => c.send(...[0, 1, 2].map((n) => ({ cmd: 'SAY' as const, text: `${ids[i]}-${n}` }))));
    const seen = await Promise.all(
      clients.map(async (c) => {
        const texts: string[] = [];
        while (texts.length < 15) {
          const say = await c.next(isSay());
          if (say.cmd === 'SAY') texts.push(say.text);
        }
        return texts;
      }),
    );
    for (const texts of seen) expect(texts).toEqual(seen[0]);
    expect([...(seen[0] ?? [])].sort()).toEqual(ids.flatMap((id) => [0, 1, 2].map((n) => `${id}-${n}`)).sort());
    // Per author, posts keep their sending order.
    for (const id of ids) expect((seen[0] ?? []).filter((t) => t.startsWith(id))).toEqual([0, 1, 2].map((n) => `${id}-${n}`));
  });

  it('sends stored history, then STANDBY, to a new member', async () => {
    const svc = await start();
    const a = await joined(svc, '#h', 'alice');
    a.send({ cmd: 'SAY', text: 'one' }, { cmd: 'SAY', text: 'two' });
    await a.next(isSay('two'));
    const c = await client(svc);
    c.send({ cmd: 'JOIN', channel: '#h', clientId: 'carol' });
    await c.next(isStandby);
    expect(c.commands().map((x) => x.cmd === 'SAY' && x.text)).toEqual(['one', 'two', false]);
  });

  it('restores history from the store after a restart', async () => {
    const store = memoryHistoryStore();
    const first = await startHostService({ peerId: 'host-1', store });
    const a = await RawClient.connect(first.endpoint.port);
    a.send({ cmd: 'JOIN', channel: '#keep', clientId: 'alice' }, { cmd: 'SAY', text: 'remember me' });
    await a.next(isSay('remember me'));
    await first.stop();
    await a.waitClosed();
    const second = await start({}, { store });
    const b = await client(second);
    b.send({ cmd: 'JOIN', channel: '#keep', clientId: 'bob' });
    expect(await b.next(isSay())).toEqual({ cmd: 'SAY', authorId: 'alice', text: 'remember me' });
  });

  it('serves archived posts when a JOIN creates the channel (takeover)', async () => {
    const svc = await start();
    svc.archive('#t', [{ authorId: 'zed', text: 'before failover', at: 1 }]);
    const c = await client(svc);
    c.send({ cmd: 'JOIN', channel: '#t', clientId: 'carol' });
    expect(await c.next(isSay())).toEqual({ cmd: 'SAY', authorId: 'zed', text: 'before failover' });
  });

  it('survives a post the wire cannot carry: logged, counted, dropped, the rest served', async () => {
    const svc = await start();
    // An archive comes from what this peer received as a member: a bad author ID must not crash the host.
    svc.archive('#bad', [{ authorId: 'has space', text: 'x', at: 1 }, { authorId: 'ok', text: 'fine', at: 2 }]);
    const c = await client(svc);
    c.send({ cmd: 'JOIN', channel: '#bad', clientId: 'carol' });
    await c.next(isStandby);
    expect(c.commands().filter(isSay())).toEqual([{ cmd: 'SAY', authorId: 'ok', text: 'fine' }]);
    expect(svc.stats().errors['ENCODE_ERROR']).toBe(1);
  });

  it('refuses a private channel to the uninvited, admits the invited, and multicasts the invite', async () => {
    const d = fakeDiscovery();
    const svc = await start({}, { discovery: d.discovery });
    const a = await joined(svc, '@secret', 'alice');
    expect(d.servers.every((s) => s?.channels.length === 0)).toBe(true);
    const eve = await client(svc);
    eve.send({ cmd: 'JOIN', channel: '@secret', clientId: 'eve' });
    expect(await eve.next(isError('NOT_INVITED'))).toBeDefined();
    await eve.waitClosed();
    a.send({ cmd: 'INVITE', clientIds: ['bob'] });
    const bob = await client(svc);
    // The INVITE and the JOIN travel on different connections: wait for the invite to be handled.
    await expect.poll(() => d.invites).toEqual([{ channel: '@secret', clientIds: ['bob'] }]);
    bob.send({ cmd: 'JOIN', channel: '@secret', clientId: 'bob' });
    await bob.next(isStandby);
  });

  it('answers garbage frames with ERROR and keeps the connection', async () => {
    const svc = await start();
    const c = await client(svc);
    c.sendRaw(Uint8Array.of(0, 0, 0, 4, 70, 79, 79, 0)); // "FOO\0": unknown command
    expect(await c.next(isError('UNKNOWN_COMMAND'))).toBeDefined();
    c.send({ cmd: 'JOIN', channel: '#ok', clientId: 'c' });
    await c.next(isStandby);
    expect(svc.stats().errors['UNKNOWN_COMMAND']).toBe(1);
  });

  it('closes a connection announcing an oversize frame after an ERROR; others are served', async () => {
    const svc = await start({ maxFrameBytes: 1024 });
    const good = await joined(svc, '#x', 'good');
    const bad = await client(svc);
    bad.sendRaw(Uint8Array.of(0, 0, 0x10, 0)); // 4096 bytes announced
    expect(await bad.next(isError('FRAME_TOO_LARGE'))).toBeDefined();
    await bad.waitClosed();
    good.send({ cmd: 'SAY', text: 'fine' });
    await good.next(isSay('fine'));
  });

  it('drops flooded frames with one ERROR, then closes a connection that keeps flooding', async () => {
    // A refill of one token per 100 s makes the budget exactly the burst during the test.
    const svc = await start({ floodRate: 0.01, floodBurst: 5, floodMaxDropped: 10 });
    const calm = await joined(svc, '#f', 'calm');
    const loud = await joined(svc, '#f', 'loud');
    loud.send(...Array.from({ length: 30 }, (_, i) => ({ cmd: 'SAY' as const, text: `spam ${i}` })));
    expect(await loud.next(isError('FLOOD'))).toBeDefined();
    await loud.waitClosed();
    calm.send({ cmd: 'SAY', text: 'calm' });
    await calm.next(isSay('calm'));
    // The JOIN took one token of five: four posts got through, ten were dropped, then the close.
    const texts = calm.commands().flatMap((c) => (c.cmd === 'SAY' ? [c.text] : []));
    expect(texts).toEqual(['spam 0', 'spam 1', 'spam 2', 'spam 3', 'calm']);
    expect(svc.stats().errors['FLOOD']).toBe(10);
  });

  it('refills the flood budget on the injected clock', async () => {
    // Virtual time drives the token bucket: the test moves the clock, no waiting.
    const clock = new VirtualTimeScheduler();
    const svc = await startHostService({ peerId: 'host-1', scheduler: clock, limits: { floodRate: 1, floodBurst: 2, floodMaxDropped: 100 } });
    cleanup.push(() => svc.stop());
    const c = await client(svc);
    c.send({ cmd: 'JOIN', channel: '#v', clientId: 'v' }, { cmd: 'SAY', text: 'a' }, { cmd: 'SAY', text: 'dropped' });
    await c.next(isError('FLOOD'));
    clock.frame += 1_000;
    c.send({ cmd: 'SAY', text: 'b' });
    await c.next(isSay('b'));
    expect(c.commands().filter(isSay()).map((x) => x.cmd === 'SAY' && x.text)).toEqual(['a', 'b']);
  });

  it('rate-limits garbage too, so bad frames cannot be amplified into ERRORs', async () => {
    const svc = await start({ floodRate: 0.01, floodBurst: 5, floodMaxDropped: 10 });
    const c = await client(svc);
    const garbage = Uint8Array.of(0, 0, 0, 4, 70, 79, 79, 0);
    c.sendRaw(Buffer.concat(Array.from({ length: 40 }, () => garbage)));
    await c.waitClosed();
    const kinds = c.commands().map((x) => (x.cmd === 'ERROR' ? x.reason.split(':')[0] : x.cmd));
    expect(kinds).toEqual([...Array.from({ length: 5 }, () => 'UNKNOWN_COMMAND'), 'FLOOD', 'FLOOD']);
  });

  it('refuses connections over the total cap with an ERROR', async () => {
    const svc = await start({ maxConnections: 2 });
    await joined(svc, '#c', 'one');
    await joined(svc, '#c', 'two');
    const third = await client(svc);
    expect(await third.next(isError('max connections'))).toBeDefined();
    await third.waitClosed();
    expect(svc.stats().errors['MAX_CONNECTIONS']).toBe(1);
  });

  it('refuses connections over the per-IP cap, while other addresses are served', async () => {
    const svc = await start({ maxConnectionsPerIp: 2 });
    await joined(svc, '#c', 'one');
    await joined(svc, '#c', 'two');
    const third = await client(svc);
    expect(await third.next(isError('max connections per ip'))).toBeDefined();
    await third.waitClosed();
    // 127.0.0.2 is loopback too (127.0.0.0/8) but another IP: it has its own quota.
    const other = await client(svc, '127.0.0.2');
    other.send({ cmd: 'JOIN', channel: '#c', clientId: 'three' });
    await other.next(isStandby);
    expect(svc.stats().errors['MAX_CONNECTIONS_PER_IP']).toBe(1);
  });

  it('closes a slowloris connection that never completes a frame; others are served', async () => {
    // The good client must get its JOIN in within the timeout even on a loaded machine: 1 s.
    const svc = await start({ idleTimeoutMs: 1_000 });
    const good = await client(svc);
    good.send({ cmd: 'JOIN', channel: '#s', clientId: 'g' });
    await good.next(isStandby);
    const slow = await client(svc);
    const partial = encodeFrame({ cmd: 'JOIN', channel: '#s' });
    slow.sendRaw(partial.subarray(0, 6));
    slow.sendRaw(partial.subarray(6, 8)); // dripping bytes does not restart the clock
    await slow.waitClosed();
    // The client may see the close before the server's close event: wait for the counter.
    await expect.poll(() => svc.stats().errors['IDLE_TIMEOUT']).toBe(1);
    good.send({ cmd: 'SAY', text: 'alive' });
    await good.next(isSay('alive'));
  });

  it('drops a member that stops reading while the others keep receiving', async () => {
    const svc = await start({ maxSendQueueBytes: 256 * 1024, floodRate: 10_000, floodBurst: 10_000 });
    const writer = await joined(svc, '#big', 'writer');
    const reader = await joined(svc, '#big', 'reader');
    const stalled = await joined(svc, '#big', 'stalled');
    stalled.socket.pause();
    const text = 'y'.repeat(30_000);
    let sent = 0;
    // Send in rounds, each echoed to the writer, until the host gives up on the stalled member.
    while (svc.stats().errors['SLOW_READER'] === undefined && sent < 1_000) {
      writer.send({ cmd: 'SAY', text: `${sent} ${text}` });
      await writer.next(isSay(`${sent} ${text}`));
      sent++;
    }
    expect(svc.stats().errors['SLOW_READER']).toBe(1);
    expect(svc.stats().members).toBe(2);
    writer.send({ cmd: 'SAY', text: 'after' });
    await reader.next(isSay('after'), 10_000);
    expect(reader.commands().filter(isSay()).length).toBe(sent + 1);
  });

  it('stop closes member connections and refuses reconnects', async () => {
    const d = fakeDiscovery();
    const svc = await startHostService({ peerId: 'host-1', discovery: d.discovery });
    const a = await RawClient.connect(svc.endpoint.port);
    a.send({ cmd: 'JOIN', channel: '#bye', clientId: 'alice' });
    await a.next(isStandby);
    await svc.stop();
    expect(svc.stats()).toMatchObject({ connections: 0, channels: 0 });
    await a.waitClosed();
    // Hosting is withdrawn, and closing the last member's channel does not re-announce it.
    expect(d.servers.indexOf(undefined)).toBe(d.servers.length - 1);
    await expect(RawClient.connect(svc.endpoint.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
