// Fairness over real loopback sockets: the budgets shared by an address (frames, new connections)
// and held-back connections, end to end through TCP flow control. Virtual-time unit tests:
// host-service-address.spec.ts, host-service-fanout-budget.spec.ts.
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, isError, isSay, isStandby } from '../test/raw-client.js';
import type { HostLimits } from './host-limits.js';
import type { HostService } from './host-service-types.js';
import { startHostService } from './host-service.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function start(limits: HostLimits): Promise<HostService> {
  const svc = await startHostService({ peerId: 'host-1', limits });
  cleanup.push(() => svc.stop());
  return svc;
}

async function joined(svc: HostService, channel: string, id: string, from: string): Promise<RawClient> {
  const c = await RawClient.connect(svc.endpoint.port, '127.0.0.1', from);
  cleanup.push(() => c.close());
  c.send({ cmd: 'JOIN', channel, clientId: id });
  await c.next(isStandby);
  return c;
}

describe('host service fairness over loopback (tcpTransport)', () => {
  it('holds back 20 connections of one address over its budget (no ERROR, none closed) while another address is served at once', async () => {
    // The channel's own fan-out budget is lifted: this is about the address's (the crowd's 400 posts to 20 members would also exceed its channel's).
    const svc = await start({ floodRatePerIp: 200, floodBurstPerIp: 100, fanoutRatePerChannel: 1e9, fanoutBurstPerChannel: 1e9 });
    const crowd = await Promise.all(Array.from({ length: 20 }, (_, i) => joined(svc, '#crowd', `crowd-${i}`, '127.0.0.2')));
    const quiet = await joined(svc, '#quiet', 'quiet', '127.0.0.1');
    // 400 posts from one address: 80 fit what is left of its burst, the rest at 200 a second.
    for (const [i, c] of crowd.entries()) c.send(...Array.from({ length: 20 }, (_, k) => ({ cmd: 'SAY' as const, text: `c${i}-${k}` })));
    await crowd[0]?.next(isSay('c0-0'));
    const t0 = performance.now();
    quiet.send({ cmd: 'SAY', text: 'calm' });
    await quiet.next(isSay('calm'));
    // Generous (a loaded CI box): the crowd's 320 held posts would take 1.6 s if the quiet one waited behind them.
    expect(performance.now() - t0).toBeLessThan(500);
    expect(svc.stats().errors['HELD_BACK_PER_IP']).toBeGreaterThan(0);
    // Every crowd post still arrives, in each author's order, and nobody was refused or closed.
    const watcher = crowd[0] as RawClient;
    const crowdSays = () => watcher.commands().flatMap((x) => (x.cmd === 'SAY' && x.text.startsWith('c') ? [x.text] : []));
    await watcher.next(() => crowdSays().length >= 400, 10_000);
    const got = crowdSays();
    expect(got).toHaveLength(400);
    for (let i = 0; i < 20; i++) expect(got.filter((t) => t.startsWith(`c${i}-`))).toEqual(Array.from({ length: 20 }, (_, k) => `c${i}-${k}`));
    expect(crowd.some((c) => c.isClosed || c.commands().some(isError()))).toBe(false);
  });

  it('refuses the connections of a reconnect loop over its rate with CONNECTION_RATE_PER_IP; another address connects', async () => {
    const svc = await start({ connectionRatePerIp: 1, connectionBurstPerIp: 2 });
    for (let i = 0; i < 2; i++) (await joined(svc, '#loop', `loop-${i}`, '127.0.0.3')).close();
    const looped = await RawClient.connect(svc.endpoint.port, '127.0.0.1', '127.0.0.3');
    cleanup.push(() => looped.close());
    expect(await looped.next(isError('CONNECTION_RATE_PER_IP'))).toEqual({
      cmd: 'ERROR',
      reason: 'CONNECTION_RATE_PER_IP: too many new connections from this ip, try later',
    });
    await looped.waitClosed();
    await joined(svc, '#loop', 'elsewhere', '127.0.0.4');
    expect(svc.stats().errors['CONNECTION_RATE_PER_IP']).toBe(1);
  });
});
