import { afterEach, describe, expect, it } from 'vitest';
import { hostWorld, stopAll } from '../test/host-world.js';
import { type MemoryClient, isError, isSay, isStandby } from '../test/memory-client.js';

afterEach(stopAll);

const says = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ cmd: 'SAY' as const, text: `${tag} ${i}` }));
const texts = (c: MemoryClient) => c.commands().flatMap((x) => (x.cmd === 'SAY' ? [x.text] : []));

describe('host service budgets per address (memory transport, virtual time)', () => {
  it('shares one frame budget between the connections of an address, holding back what is over it; another address is served at once', async () => {
    const w = hostWorld();
    // Each connection alone is far under its own budget; together they are over their address's.
    const svc = await w.start({ floodRate: 1_000, floodBurst: 1_000, floodRatePerIp: 1, floodBurstPerIp: 10 });
    const a = await w.joined(svc, '#n', 'a');
    const b = await w.joined(svc, '#n', 'b');
    const honest = await w.joined(svc, '#n', 'h', { from: '10.0.0.9' });
    // The two JOINs took 2 of the 10: a gets 5 through, b 3, and b's last 2 wait for the refill.
    a.send(...says(5, 'a'));
    await a.next(isSay('a 4'));
    b.send(...says(5, 'b'));
    await b.next(isSay('b 2'));
    honest.send(...says(3, 'h'));
    await honest.next(isSay('h 2'));
    expect(texts(honest)).toEqual(['a 0', 'a 1', 'a 2', 'a 3', 'a 4', 'b 0', 'b 1', 'b 2', 'h 0', 'h 1', 'h 2']);
    expect(svc.stats().errors['HELD_BACK_PER_IP']).toBeGreaterThan(0);
    // Held back, not refused: they come in order, one a second, and nobody got an ERROR.
    await b.next(isSay('b 3'));
    expect(w.vt.now()).toBeGreaterThanOrEqual(1_000);
    await b.next(isSay('b 4'));
    expect(w.vt.now()).toBeGreaterThanOrEqual(2_000);
    expect([a, b, honest].flatMap((c) => c.commands().filter(isError()))).toEqual([]);
    expect(svc.stats().errors['FLOOD']).toBeUndefined();
  });

  it('with the defaults, 100 honest clients behind one NAT address (10 channels, a burst of 5 posts each, then 2 a second) are never refused nor held back by their address, and each second\'s posts are all delivered within it', async () => {
    const w = hostWorld();
    const svc = await w.start();
    const clients = await Promise.all(Array.from({ length: 100 }, (_, i) => w.joined(svc, `#nat-${i % 10}`, `nat-${i}`, { from: '10.1.1.1' })));
    clients.forEach((c, i) => c.send(...says(5, `burst ${i}`)));
    for (let second = 0; second < 10; second++) {
      clients.forEach((c, i) => c.send({ cmd: 'SAY', text: `tick ${i} ${second}a` }, { cmd: 'SAY', text: `tick ${i} ${second}b` }));
      await w.vt.advance(1_000);
      // 10 authors per channel: their burst and every tick so far. (70 posts to 10 members at one
      // instant exceed the channel's fan-out burst: the rest waits tens of ms, not seconds.)
      for (const c of clients) expect(texts(c)).toHaveLength(10 * (5 + 2 * (second + 1)));
    }
    await w.vt.settle();
    const { HELD_BACK_PER_CHANNEL: _held, ...refusals } = svc.stats().errors;
    expect(refusals).toEqual({});
  });

  it('keeps an address budget across a reconnect: closing and dialling again does not refill it', async () => {
    const w = hostWorld();
    const svc = await w.start({ floodRatePerIp: 1, floodBurstPerIp: 3 });
    const first = await w.joined(svc, '#r', 'r');
    first.send(...says(2, 'first'));
    await first.next(isSay('first 1'));
    first.conn.close('reconnect');
    await first.waitClosed();
    const again = await w.client(svc);
    again.send({ cmd: 'JOIN', channel: '#r', clientId: 'r' });
    await again.next(isStandby);
    // The JOIN waited for the address's next token, a second after the three were spent.
    expect(w.vt.now()).toBeGreaterThanOrEqual(1_000);
  });

  it('refuses a reconnect loop at accept with CONNECTION_RATE_PER_IP, counted; an honest client from another address gets in', async () => {
    const w = hostWorld();
    const svc = await w.start({ connectionRatePerIp: 1, connectionBurstPerIp: 3 });
    for (let i = 0; i < 3; i++) {
      const c = await w.joined(svc, '#loop', `loop-${i}`);
      c.conn.close('again');
      await c.waitClosed();
    }
    const looped = await w.client(svc);
    expect(await looped.next(isError('CONNECTION_RATE_PER_IP'))).toEqual({
      cmd: 'ERROR',
      reason: 'CONNECTION_RATE_PER_IP: too many new connections from this ip, try later',
    });
    await looped.waitClosed();
    expect(svc.stats().errors['CONNECTION_RATE_PER_IP']).toBe(1);
    const honest = await w.joined(svc, '#loop', 'honest', { from: '10.0.0.9' });
    honest.send({ cmd: 'SAY', text: 'in' });
    await honest.next(isSay('in'));
    // A second later the address has one connection again.
    await w.vt.advance(1_000);
    await w.joined(svc, '#loop', 'back');
  });
});
