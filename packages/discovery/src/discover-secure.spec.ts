import { describe, expect, it } from 'vitest';
import { decodePdu } from '@ims/codec';
import { generateNetworkKey, looksSealed, testNetwork } from '@ims/secure';
import { DiscoveryError } from './errors.js';
import type { DiscoveryStats } from './stats.js';
import { I, capture, contains, mode, peer, virtual, virtualNow, type TestPeer } from '../test/secure-net.js';

// Secure mode of discovery (docs/protocol.md §3.4): sealed PeerPDUs between members of a network.
const SECURITY_COUNTERS = ['unauthenticated', 'replayed', 'notAdmitted', 'identityMismatch', 'secureIgnored', 'malformed'] as const;
const noDrops = (s: DiscoveryStats) => Object.fromEntries(SECURITY_COUNTERS.map((k) => [k, s[k]]));
const NONE = Object.fromEntries(SECURITY_COUNTERS.map((k) => [k, 0]));

describe('discover() in secure mode', () => {
  it('two members see each other (nick, channels, memberships), and nothing of it is readable on the wire', () => {
    const { modes } = testNetwork(2, { now: virtualNow });
    const [ma, mb] = modes as [(typeof modes)[0], (typeof modes)[0]];
    let a!: TestPeer;
    let b!: TestPeer;
    let seen: Uint8Array[] = [];
    virtual((at, net) => {
      const spy = capture(net);
      seen = spy.seen;
      a = peer(net, '10.0.0.1', { secure: ma, nick: 'alice-nick', memberships: [{ serverId: mb.identity.peerId, channels: ['#member-chan'] }] });
      b = peer(net, '10.0.0.2', { secure: mb, server: { port: 50_000, channels: ['#hosted-chan'] } });
      at(2 * I + 100, () => b.d.setServer({ port: 50_000, channels: ['#hosted-chan', '#later-chan'] }));
      at(4 * I, () => {
        expect(a.d.snapshot().servers.map((s) => [s.id, s.endpoint, s.channels])).toEqual([[mb.identity.peerId, { address: '10.0.0.2', port: 50_000 }, ['#hosted-chan', '#later-chan']]]);
        expect(b.d.snapshot().clients.map((c) => [c.id, c.nick, c.memberships])).toEqual([[ma.identity.peerId, 'alice-nick', [{ serverId: mb.identity.peerId, channels: ['#member-chan'] }]]]);
        [a.d, b.d].forEach((d) => d.close());
        spy.port.close();
      });
    });
    expect(a.d.peerId).toBe(ma.identity.peerId);
    expect(seen.length).toBeGreaterThan(6);
    for (const bytes of seen) {
      expect(looksSealed(bytes)).toBe(true);
      expect(decodePdu(bytes).ok).toBe(false);
      for (const s of ['alice-nick', 'member-chan', 'hosted-chan', 'later-chan', ma.identity.peerId, mb.identity.peerId]) expect(contains(bytes, s), s).toBe(false);
    }
    for (const p of [a, b]) {
      expect(noDrops(p.d.stats())).toEqual(NONE);
      // Its own datagrams come back by loopback, each once: opened and ignored, never replays.
      expect(p.d.stats().own).toBe(p.d.stats().sentDatagrams);
      expect(p.d.stats().accepted).toBeGreaterThan(2);
    }
  });

  it('splits a large announcement so that every sealed datagram fits 1,400 bytes, and the pieces reassemble', () => {
    const { modes } = testNetwork(2, { now: virtualNow });
    const [host, reader] = modes as [(typeof modes)[0], (typeof modes)[0]];
    const channels = Array.from({ length: 200 }, (_, i) => `#channel-with-a-rather-long-name-${String(i).padStart(3, '0')}`);
    let r!: TestPeer;
    let h!: TestPeer;
    let seen: Uint8Array[] = [];
    virtual((at, net) => {
      const spy = capture(net);
      seen = spy.seen;
      h = peer(net, '10.0.0.2', { secure: host, server: { port: 50_000, channels } });
      r = peer(net, '10.0.0.1', { secure: reader });
      at(3 * I, () => {
        expect(r.d.peer(host.identity.peerId)?.channels).toEqual([...channels].sort());
        [r.d, h.d].forEach((d) => d.close());
        spy.port.close();
      });
    });
    const first = seen.slice(0, h.d.stats().sentDatagrams / h.d.stats().announcements);
    expect(first.length).toBeGreaterThan(5);
    for (const bytes of seen) expect(bytes.byteLength).toBeLessThanOrEqual(1_400);
    // Pieces are filled up to the budget left by the seal, not to a smaller one.
    expect(Math.max(...first.map((b) => b.byteLength))).toBeGreaterThan(1_400 - 100);
    expect(noDrops(r.d.stats())).toEqual(NONE);
  });

  it('reads PDUs sealed under either key during a rotation; a peer with only the new key reads only those', () => {
    const oldKey = generateNetworkKey();
    const newKey = generateNetworkKey();
    const first = mode([oldKey, newKey]); // not switched yet: seals with the old key
    const second = mode([newKey, oldKey]); // switched
    const late = mode([newKey]); // already dropped the old key
    let p!: TestPeer[];
    virtual((at, net) => {
      p = [peer(net, '10.0.0.1', { secure: first, nick: 'one' }), peer(net, '10.0.0.2', { secure: second, nick: 'two' }), peer(net, '10.0.0.3', { secure: late, nick: 'three' })];
      at(3 * I, () => p.forEach((x) => x.d.close()));
    });
    const [one, two, three] = p as [TestPeer, TestPeer, TestPeer];
    const nicks = (x: TestPeer) => x.d.snapshot().clients.map((c) => c.nick).sort();
    expect(nicks(one)).toEqual(['three', 'two']);
    expect(nicks(two)).toEqual(['one', 'three']);
    expect(nicks(three)).toEqual(['two']);
    expect(one.d.stats().unauthenticated + two.d.stats().unauthenticated).toBe(0);
    expect(three.d.stats().unauthenticated).toBeGreaterThan(0);
    expect(three.logs.filter((e) => e.reason === 'unauthenticated').map((e) => e.code)).toEqual(['unknown-key']);
  });

  it('secure and plain peers on one network ignore each other cleanly: no peers, no malformed, their own counters', () => {
    let plain!: TestPeer;
    let secure!: TestPeer;
    virtual((at, net) => {
      plain = peer(net, '10.0.0.1', { peerId: 'plain-peer', nick: 'plain' });
      secure = peer(net, '10.0.0.2', { secure: mode([generateNetworkKey()]), nick: 'secure' });
      at(25 * I, () => [plain, secure].forEach((p) => p.d.close()));
    });
    expect(plain.d.snapshot().peers).toEqual([]);
    expect(secure.d.snapshot().peers).toEqual([]);
    const p = plain.d.stats();
    const s = secure.d.stats();
    expect([p.malformed, s.malformed, p.unauthenticated, s.secureIgnored]).toEqual([0, 0, 0, 0]);
    expect(p.secureIgnored).toBe(s.sentDatagrams);
    expect(s.unauthenticated).toBe(p.sentDatagrams);
    // One line per source address and cause per 10 s (0, 10 and 20 s), at info for the plain peer.
    expect(plain.logs.filter((e) => e.reason === 'secureIgnored').map((e) => e.level)).toEqual(['info', 'info', 'info']);
    expect(secure.logs.filter((e) => e.reason === 'unauthenticated').map((e) => [e.level, e.code])).toEqual([
      ['warn', 'not-sealed'],
      ['warn', 'not-sealed'],
      ['warn', 'not-sealed'],
    ]);
  });

  it('takes the peer ID from the identity, refuses another one, and checks a nick against the budget left by the seal', () => {
    const m = mode([generateNetworkKey()]);
    virtual((at, net) => {
      expect(() => peer(net, '10.0.0.1', { secure: m, peerId: 'someone-else' })).toThrow(DiscoveryError);
      const fits = 'n'.repeat(1_400 - 60 - m.identity.peerId.length);
      expect(() => peer(net, '10.0.0.1', { peerId: 'plain', nick: fits }).d.close()).not.toThrow();
      expect(() => peer(net, '10.0.0.1', { secure: m, nick: fits })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
      at(0, () => undefined);
    });
  });
});
