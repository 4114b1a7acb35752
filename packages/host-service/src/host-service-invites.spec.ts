import { afterEach, describe, expect, it } from 'vitest';
import { encodePdus } from '@ims/codec';
import { fakeDiscovery } from '../test/fake-discovery.js';
import { hostWorld, stopAll } from '../test/host-world.js';
import { isError } from '../test/memory-client.js';
import { DEFAULT_HOST_LIMITS } from './host-limits.js';
import type { DiscoveredPeer } from './host-discovery.js';

afterEach(stopAll);

const peerOf = (id: string): DiscoveredPeer => ({ id, address: '10.0.0.9', nick: id, server: undefined, channels: [], isDedicatedServer: false, state: 'alive' });
/** Datagrams discovery sends for the recorded invitations: each is sent at once and repeated twice (docs/protocol.md §3.8). */
const datagramsOf = (invites: readonly { channel: string; clientIds: readonly string[] }[]): number =>
  3 * invites.reduce((n, i) => n + encodePdus({ peerId: 'host-1', options: [{ type: 'SERVER_OPTION', port: 50_000 }, { type: 'SERVER_INVITE', channel: i.channel, clientIds: [...i.clientIds] }] }).length, 0);

describe('host service: INVITE amplification (docs/protocol.md §9)', () => {
  it('one INVITE naming 10,000 IDs announces nothing; the same IDs in frames of 64 announce at most invitesPerSecond of them', async () => {
    const w = hostWorld();
    const d = fakeDiscovery();
    // Short IDs, so that the 10,000 fit one frame (the attack: 132 datagrams, 183 KB).
    const ids = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(5, '0'));
    const svc = await w.start({}, { discovery: d.discovery });
    d.peers$.next(ids.map(peerOf));
    const a = await w.joined(svc, '#room', 'alice');
    a.send({ cmd: 'INVITE', clientIds: ids });
    expect(await a.next(isError('TOO_MANY_INVITEES'))).toBeDefined();
    await w.vt.settle();
    expect(d.invites).toEqual([]);

    const max = DEFAULT_HOST_LIMITS.maxInviteIds;
    const frames = Array.from({ length: ids.length / max }, (_, i) => ({ cmd: 'INVITE' as const, clientIds: ids.slice(i * max, (i + 1) * max) }));
    a.send(...frames.slice(0, 100));
    await w.vt.settle();
    expect(d.invites).toHaveLength(DEFAULT_HOST_LIMITS.invitesPerSecond);
    expect(a.commands().filter(isError('INVITE_RATE'))).toHaveLength(100 - DEFAULT_HOST_LIMITS.invitesPerSecond);
    // 2 INVITEs of 64 IDs, sent 3 times each.
    expect(datagramsOf(d.invites)).toBeLessThanOrEqual(6);
    expect(svc.stats().errors).toMatchObject({ TOO_MANY_INVITEES: 1, INVITE_RATE: 100 - DEFAULT_HOST_LIMITS.invitesPerSecond });
  });

  it('ignores IDs discovery does not know on a public channel, and counts the INVITEs that named them', async () => {
    const w = hostWorld();
    const d = fakeDiscovery();
    const svc = await w.start({}, { discovery: d.discovery });
    d.peers$.next([peerOf('bob')]);
    const a = await w.joined(svc, '#room', 'alice');
    a.send({ cmd: 'INVITE', clientIds: ['ghost-1', 'bob', 'ghost-2'] }, { cmd: 'INVITE', clientIds: ['ghost-3'] });
    await w.vt.settle();
    expect(d.invites).toEqual([{ channel: '#room', clientIds: ['bob'] }]);
    expect(svc.stats().errors['INVITE_UNKNOWN_IDS']).toBe(2);
    expect(a.commands().filter(isError())).toEqual([]);
  });

  it('takes maxInviteIds and invitesPerSecond from its limits', async () => {
    const w = hostWorld();
    const d = fakeDiscovery();
    const svc = await w.start({ maxInviteIds: 2, invitesPerSecond: 1 }, { discovery: d.discovery });
    d.peers$.next(['b', 'c', 'e'].map(peerOf));
    const a = await w.joined(svc, '#room', 'alice');
    a.send({ cmd: 'INVITE', clientIds: ['b', 'c', 'e'] }, { cmd: 'INVITE', clientIds: ['b', 'c'] }, { cmd: 'INVITE', clientIds: ['e'] });
    await w.vt.settle();
    expect(a.commands().filter(isError()).map((e) => (e.cmd === 'ERROR' ? e.reason.split(':')[0] : ''))).toEqual(['TOO_MANY_INVITEES', 'INVITE_RATE']);
    expect(d.invites).toEqual([{ channel: '#room', clientIds: ['b', 'c'] }]);
  });
});
