import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodePdu, type PduOption } from '@ims/codec';
import { generateNetworkKey, peerPolicy, type SecureMode } from '@ims/secure';
import { I, capture, mode, peer, virtual, type TestPeer } from '../test/secure-net.js';

// What a keyless attacker, a replaying one and a member speaking for another can do to a secure
// peer's table (docs/protocol.md §3.4): nothing; each drop counted under its cause.
const MAGIC = [0x49, 0x4d, 0x53, 0x01];
const nick = (n: string): PduOption => ({ type: 'CLIENT_NICK', nick: n });
const sealedBy = (m: SecureMode, peerId: string, options: PduOption[]) => m.sealer.seal(encodePdu({ peerId, options }));
const ids = (p: TestPeer) => p.d.snapshot().peers.map((x) => x.id).sort();

describe('discover() in secure mode, under attack', () => {
  it('drops what a keyless attacker sends (magic and noise, plain PDUs, other keys, altered bytes) as unauthenticated', () => {
    const key = generateNetworkKey();
    const [mv, mh] = [mode([key]), mode([key])];
    const outsider = mode([generateNetworkKey()]);
    let victim!: TestPeer;
    virtual((at, net) => {
      const spy = capture(net);
      victim = peer(net, '10.0.0.1', { secure: mv });
      const honest = peer(net, '10.0.0.2', { secure: mh, nick: 'honest' });
      const attacker = net.port({ address: '10.6.6.6' });
      at(500, () => {
        const genuine = spy.seen.find((b) => b.length > 0) as Uint8Array;
        const altered = genuine.slice();
        altered[genuine.length - 20] = (altered[genuine.length - 20] as number) ^ 1;
        const sameKeyIdNoise = new Uint8Array([...genuine.subarray(0, 12), ...randomBytes(300)]);
        for (const bytes of [
          new Uint8Array([...MAGIC, ...randomBytes(8)]), // too short to be sealed
          new Uint8Array([...MAGIC, ...randomBytes(400)]), // a key id nobody holds
          sameKeyIdNoise,
          encodePdu({ peerId: 'plain-intruder', options: [nick('intruder')] }),
          encodePdu({ peerId: mh.identity.peerId, options: [nick('spoofed')] }),
          sealedBy(outsider, outsider.identity.peerId, [nick('outsider')]),
          altered,
        ]) {
          attacker.send(bytes);
        }
      });
      at(3 * I, () => {
        [victim, honest].forEach((p) => p.d.close());
        [spy.port, attacker].forEach((p) => p.close());
      });
    });
    expect(ids(victim)).toEqual([mh.identity.peerId]);
    expect(victim.d.peer(mh.identity.peerId)?.nick).toBe('honest');
    const s = victim.d.stats();
    expect([s.unauthenticated, s.malformed, s.replayed, s.identityMismatch]).toEqual([7, 0, 0, 0]);
    // One line for the attacker's address and this cause, saying what the first was.
    expect(victim.logs.filter((e) => e.reason === 'unauthenticated').map((e) => [e.from?.address, e.code])).toEqual([['10.6.6.6', 'not-sealed']]);
  });

  it('drops a PDU a member seals under its own identity but with another peer ID as identityMismatch', () => {
    const key = generateNetworkKey();
    const [mv, mb, mm] = [mode([key]), mode([key]), mode([key])];
    let victim!: TestPeer;
    virtual((at, net) => {
      victim = peer(net, '10.0.0.1', { secure: mv });
      const bob = peer(net, '10.0.0.2', { secure: mb, nick: 'bob' });
      const member = net.port({ address: '10.0.0.3' });
      at(500, () => {
        member.send(sealedBy(mm, mb.identity.peerId, [nick('not-bob')]));
        member.send(sealedBy(mm, 'k-made-up', [nick('nobody')]));
      });
      at(3 * I, () => {
        [victim, bob].forEach((p) => p.d.close());
        member.close();
      });
    });
    expect(ids(victim)).toEqual([mb.identity.peerId]);
    expect(victim.d.peer(mb.identity.peerId)?.nick).toBe('bob');
    expect(victim.d.stats().identityMismatch).toBe(2);
    expect(victim.logs.filter((e) => e.reason === 'identityMismatch').map((e) => e.peerId)).toEqual([mm.identity.peerId]);
  });

  it('drops a datagram sent again as replayed while fresh ones of the same peer pass, and one sealed long ago as replayed (stale)', () => {
    const key = generateNetworkKey();
    const [mv, ma] = [mode([key]), mode([key])];
    const frozen = mode([key], { now: () => 0 }); // its clock stopped at 0
    let victim!: TestPeer;
    let acceptedBefore = 0;
    virtual((at, net) => {
      const spy = capture(net);
      victim = peer(net, '10.0.0.1', { secure: mv });
      const a = peer(net, '10.0.0.2', { secure: ma, nick: 'ann' });
      const attacker = net.port({ address: '10.6.6.6' });
      const spoofer = net.port({ address: '10.0.0.2' });
      at(2 * I + 500, () => {
        acceptedBefore = victim.d.stats().accepted;
        const old = spy.seen.slice(0, 2);
        old.forEach((b) => attacker.send(b));
        old.forEach((b) => spoofer.send(b));
      });
      at(70 * I, () => attacker.send(sealedBy(frozen, frozen.identity.peerId, [nick('frozen')])));
      at(72 * I, () => {
        [victim, a].forEach((p) => p.d.close());
        [spy.port, attacker, spoofer].forEach((p) => p.close());
      });
    });
    const s = victim.d.stats();
    expect(s.replayed).toBe(5);
    expect(s.unauthenticated).toBe(0);
    expect(s.accepted).toBeGreaterThan(acceptedBefore + 60);
    expect(ids(victim)).toEqual([ma.identity.peerId]);
    expect(victim.d.peer(ma.identity.peerId)?.state).toBe('alive');
    expect(victim.logs.filter((e) => e.reason === 'replayed').map((e) => [e.from?.address, e.code])).toEqual([
      ['10.6.6.6', 'replayed'],
      ['10.0.0.2', 'replayed'],
      ['10.6.6.6', 'stale'],
    ]);
  });

  it('drops the datagrams of a revoked member as notAdmitted; the others are read', () => {
    const key = generateNetworkKey();
    const [revoked, kept] = [mode([key]), mode([key])];
    const mv = mode([key], { policy: peerPolicy({ revoked: [revoked.identity.peerId] }) });
    let victim!: TestPeer;
    virtual((at, net) => {
      victim = peer(net, '10.0.0.1', { secure: mv });
      const others = [peer(net, '10.0.0.2', { secure: revoked, nick: 'gone' }), peer(net, '10.0.0.3', { secure: kept, nick: 'kept' })];
      at(3 * I, () => [victim, ...others].forEach((p) => p.d.close()));
    });
    expect(ids(victim)).toEqual([kept.identity.peerId]);
    const s = victim.d.stats();
    expect(s.notAdmitted).toBeGreaterThanOrEqual(3);
    expect([s.unauthenticated, s.replayed, s.identityMismatch]).toEqual([0, 0, 0]);
    expect(victim.logs.filter((e) => e.reason === 'notAdmitted')).toHaveLength(1);
  });

  it('opens no more datagrams of a source than its budget; an established member is charged to its own', () => {
    const key = generateNetworkKey();
    const [mv, mh] = [mode([key]), mode([key])];
    const channels = Array.from({ length: 120 }, (_, i) => `#a-channel-name-long-enough-to-split-${i}`);
    let victim!: TestPeer;
    let host!: TestPeer;
    virtual((at, net) => {
      victim = peer(net, '10.0.0.1', { secure: mv, maxPdusPerSecondPerSource: 3 });
      host = peer(net, '10.0.0.2', { secure: mh, server: { port: 50_000, channels } });
      const attacker = net.port({ address: '10.6.6.6' });
      at(1_500, () => {
        for (let i = 0; i < 50; i++) attacker.send(new Uint8Array([...MAGIC, ...randomBytes(200)]));
      });
      at(2 * I + 500, () => {
        [victim, host].forEach((p) => p.d.close());
        attacker.close();
      });
    });
    // The host's pieces (more than the source budget) are all read: it established itself with the first.
    expect(host.d.stats().sentDatagrams / host.d.stats().announcements).toBeGreaterThan(3);
    expect(victim.d.peer(mh.identity.peerId)?.channels).toHaveLength(channels.length);
    const s = victim.d.stats();
    expect([s.unauthenticated, s.rateLimited]).toEqual([3, 47]);
  });
});
