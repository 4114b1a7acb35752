import { afterEach, describe, expect, it } from 'vitest';
import { hostWorld, stopAll } from '../test/host-world.js';
import { type MemoryClient, isError, isSay } from '../test/memory-client.js';

afterEach(stopAll);

const texts = (c: MemoryClient) => c.commands().flatMap((x) => (x.cmd === 'SAY' ? [x.text] : []));

describe('host service fan-out budget per channel (memory transport, virtual time)', () => {
  it('holds back the SAYs of a channel over its deliveries a second, while another channel is served at once', async () => {
    const w = hostWorld();
    // Four members: each post costs 4 deliveries; 8 a second, in bursts of 8, is two posts, then one every 500 ms.
    const svc = await w.start({ fanoutRatePerChannel: 8, fanoutBurstPerChannel: 8 });
    const busy = await Promise.all(['a', 'b', 'c', 'd'].map((id, i) => w.joined(svc, '#busy', id, { from: `10.0.1.${i}` })));
    const quiet = await w.joined(svc, '#quiet', 'q', { from: '10.0.2.1' });
    const [a, b, c] = busy as [MemoryClient, MemoryClient, MemoryClient];
    a.send({ cmd: 'SAY', text: 'one' }, { cmd: 'SAY', text: 'two' }, { cmd: 'SAY', text: 'three' });
    await c.next(isSay('two'));
    // The budget is the channel's, not the author's: another member waits too.
    b.send({ cmd: 'SAY', text: 'four' });
    quiet.send({ cmd: 'SAY', text: 'calm' });
    await quiet.next(isSay('calm'));
    expect(w.vt.now()).toBeLessThan(20);
    expect(texts(c)).toEqual(['one', 'two']);
    await c.next(isSay('three'));
    expect(w.vt.now()).toBeGreaterThanOrEqual(500);
    await c.next(isSay('four'));
    expect(w.vt.now()).toBeGreaterThanOrEqual(1_000);
    expect(busy.flatMap((m) => m.commands().filter(isError()))).toEqual([]);
    expect(svc.stats().errors['HELD_BACK_PER_CHANNEL']).toBeGreaterThan(0);
  });

  it('lets a post to more members than the burst go out, then the channel waits for the refill', async () => {
    const w = hostWorld();
    const svc = await w.start({ fanoutRatePerChannel: 2, fanoutBurstPerChannel: 2 });
    const members = await Promise.all(['a', 'b', 'c'].map((id, i) => w.joined(svc, '#big', id, { from: `10.0.3.${i}` })));
    const a = members[0] as MemoryClient;
    a.send({ cmd: 'SAY', text: 'big' }, { cmd: 'SAY', text: 'next' });
    await a.next(isSay('big'));
    expect(w.vt.now()).toBeLessThan(20);
    // 3 deliveries against a burst of 2: one in debt, and the next post waits for a full burst again (1.5 s).
    await a.next(isSay('next'));
    expect(w.vt.now()).toBeGreaterThanOrEqual(1_500);
  });
});
