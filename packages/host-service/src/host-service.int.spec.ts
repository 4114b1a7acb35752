// Smoke test of the TCP path over real loopback sockets. The host's logic (limits, history,
// failover inputs) is unit-tested over the in-memory transport in host-service*.spec.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { fakeDiscovery } from '../test/fake-discovery.js';
import { RawClient, isError, isSay, isStandby } from '../test/raw-client.js';
import type { HostLimits } from './host-limits.js';
import type { HostService, HostServiceOptions } from './host-service-types.js';
import { startHostService } from './host-service.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function start(limits: HostLimits = {}, extra: Partial<HostServiceOptions> = {}): Promise<HostService> {
  const svc = await startHostService({ peerId: 'host-1', limits, ...extra });
  cleanup.push(() => svc.stop());
  return svc;
}

async function client(svc: HostService): Promise<RawClient> {
  const c = await RawClient.connect(svc.endpoint.port);
  cleanup.push(() => c.close());
  return c;
}

async function joined(svc: HostService, channel: string, id: string): Promise<RawClient> {
  const c = await client(svc);
  c.send({ cmd: 'JOIN', channel, clientId: id });
  await c.next(isStandby);
  return c;
}

describe('host service over loopback (tcpTransport)', () => {
  it('listens on 127.0.0.1 and serves join, fan-out to every member (author included), exit', async () => {
    const d = fakeDiscovery();
    const svc = await start({}, { discovery: d.discovery });
    expect(svc.endpoint.address).toBe('127.0.0.1');
    expect(d.servers[0]).toEqual({ port: svc.endpoint.port, channels: [] });
    const a = await joined(svc, '#room', 'alice');
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

  it('closes a connection announcing an oversize frame after an ERROR that reaches the socket; others are served', async () => {
    const svc = await start({ maxFrameBytes: 1024 });
    const good = await joined(svc, '#x', 'good');
    const bad = await client(svc);
    bad.sendRaw(Uint8Array.of(0, 0, 0x10, 0)); // 4096 bytes announced
    expect(await bad.next(isError('FRAME_TOO_LARGE'))).toBeDefined();
    await bad.waitClosed();
    good.send({ cmd: 'SAY', text: 'fine' });
    await good.next(isSay('fine'));
  });

  it('stop closes member sockets and refuses reconnects (ECONNREFUSED)', async () => {
    const svc = await startHostService({ peerId: 'host-1' });
    const a = await RawClient.connect(svc.endpoint.port);
    a.send({ cmd: 'JOIN', channel: '#bye', clientId: 'alice' });
    await a.next(isStandby);
    await svc.stop();
    expect(svc.stats()).toMatchObject({ connections: 0, channels: 0 });
    await a.waitClosed();
    await expect(RawClient.connect(svc.endpoint.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
