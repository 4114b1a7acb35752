import { afterEach, describe, expect, it } from 'vitest';
import { hostWorld, stopAll } from '../test/host-world.js';
import { isError, isSay, isStandby } from '../test/memory-client.js';

afterEach(stopAll);

describe('host service: a JOIN claiming a connected member\'s ID (docs/protocol.md §10)', () => {
  it('keeps the real member and refuses the claimant with ID_IN_USE after replaceCheckMs of virtual time', async () => {
    const w = hostWorld();
    const svc = await w.start({ replaceCheckMs: 2_000 });
    const alice = await w.joined(svc, '@team', 'alice');
    alice.send({ cmd: 'INVITE', clientIds: ['bob'] });
    const bob = await w.joined(svc, '@team', 'bob');
    alice.send({ cmd: 'SAY', text: 'secret plan' });
    await bob.next(isSay('secret plan'));

    const mallory = await w.client(svc, { from: '10.0.0.66' });
    const t0 = w.vt.now();
    mallory.send({ cmd: 'JOIN', channel: '@team', clientId: 'bob' }, { cmd: 'SAY', text: 'I am bob' });
    expect(await mallory.next(isError('ID_IN_USE'))).toBeDefined();
    await mallory.waitClosed();
    expect(w.vt.now() - t0).toBeGreaterThanOrEqual(2_000);
    // Neither the history nor a STANDBY reached the claimant, and its post reached nobody.
    expect(mallory.commands().filter((c) => c.cmd !== 'ERROR')).toEqual([]);
    expect(alice.commands().some((c) => c.cmd === 'SAY' && c.text === 'I am bob')).toBe(false);
    expect(bob.info).toBeUndefined();
    bob.send({ cmd: 'SAY', text: 'still here' });
    expect(await alice.next(isSay('still here'))).toMatchObject({ authorId: 'bob' });
    expect(svc.stats().errors['ID_IN_USE']).toBe(1);
  });

  it('lets the member back in on its new connection as soon as the old one is gone', async () => {
    const w = hostWorld();
    const svc = await w.start();
    const alice = await w.joined(svc, '#room', 'alice');
    const old = await w.joined(svc, '#room', 'bob');
    const again = await w.client(svc);
    again.send({ cmd: 'JOIN', channel: '#room', clientId: 'bob' });
    await w.vt.advance(10);
    expect(again.commands()).toEqual([]);
    old.conn.close('test: the old socket dies');
    await again.next(isStandby);
    again.send({ cmd: 'SAY', text: 'back' });
    expect(await alice.next(isSay('back'))).toMatchObject({ authorId: 'bob' });
    expect(svc.snapshot().channels[0]?.members.map((m) => m.id)).toEqual(['alice', 'bob']);
  });
});
