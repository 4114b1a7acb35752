import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { filter, map, type SchedulerLike } from 'rxjs';
import { decodePdu, encodePdu } from '@ims/codec';
import type { DatagramPort } from './datagram-port.js';
import { discover, type DiscoverOptions, type Discovery } from './discover.js';
import type { Lobby } from './lobby.js';
import { memoryNetwork, type MemoryNetwork } from './memory-network.js';
import type { PeerEvent } from './peer-events.js';

const I = 1_000;

// The TestScheduler is injected as the scheduler (not through run()'s patched asyncScheduler), so
// closing a peer in the same virtual frame as its timers is handled like any other action.
let scheduler: SchedulerLike;

/** Run `body` in virtual time; `at(ms, fn)` schedules an action. Everything must be closed by the end. */
function virtual(body: (at: (ms: number, fn: () => void) => void, net: MemoryNetwork) => void): void {
  const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
  scheduler = ts;
  ts.run(() => {
    const net = memoryNetwork({ scheduler: ts });
    body((ms, fn) => ts.schedule(fn, ms), net);
  });
}

function peer(net: MemoryNetwork, id: string, address: string, extra: DiscoverOptions = {}): { d: Discovery; events: PeerEvent[]; lobbies: Lobby[] } {
  const d = discover(net.port({ address }), { peerId: id, intervalMs: I, scheduler, ...extra });
  const events: PeerEvent[] = [];
  const lobbies: Lobby[] = [];
  d.events$.subscribe((e) => events.push(e));
  d.lobby$.subscribe((l) => lobbies.push(l));
  return { d, events, lobbies };
}

const ofKind = <K extends PeerEvent['kind']>(events: PeerEvent[], kind: K) => events.filter((e): e is Extract<PeerEvent, { kind: K }> => e.kind === kind);

/** A port on the network that records every datagram (a passive listener). */
function spy(net: MemoryNetwork): { port: DatagramPort; seen: Uint8Array[] } {
  const port = net.port({ address: '10.9.9.9' });
  const seen: Uint8Array[] = [];
  port.messages$.subscribe((d) => seen.push(d.data));
  return { port, seen };
}

describe('discover() in virtual time', () => {
  it('liveness of a peer that goes silent, as a marble: appeared, suspect, disconnected, gone', () => {
    const ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler = ts;
    ts.run(({ expectObservable }) => {
      const net = memoryNetwork({ scheduler: ts });
      const a = discover(net.port({ address: '10.0.0.1' }), { peerId: 'a', intervalMs: I, scheduler: ts });
      const b = discover(net.port({ address: '10.0.0.2' }), { peerId: 'b', intervalMs: I, scheduler: ts });
      ts.schedule(() => b.close(), 5 * I + 500);
      ts.schedule(() => a.close(), 20 * I);
      const letters: Record<string, string> = { appeared: 'a', suspect: 's', disconnected: 'd', gone: 'g' };
      const aboutB = a.events$.pipe(
        filter((e) => (e.kind === 'appeared' ? e.peer.id : 'peerId' in e ? e.peerId : '') === 'b'),
        map((e) => letters[e.kind] ?? e.kind),
      );
      // Last PDU from b at 5 s; checks every 250 ms; thresholds 1, 3 and 4 of its learned 1 s
      // intervals plus 250 ms grace (min(interval / 2, 250 ms)).
      expectObservable(aboutB).toBe('a 6499ms s 1999ms d 999ms g 10499ms |');
    });
  });

  it('three peers see each other, a nick change, and a silent peer go suspect → disconnected → gone in whole intervals', () => {
    let a!: ReturnType<typeof peer>;
    let lobbyAt5s: Lobby | undefined;
    virtual((at, net) => {
      a = peer(net, 'peer-a', '10.0.0.1', { nick: 'ann' });
      const b = peer(net, 'peer-b', '10.0.0.2', { nick: 'bob' });
      const c = peer(net, 'peer-c', '10.0.0.3', { server: { port: 50_000, channels: ['#lobby'] } });
      at(3 * I + 100, () => b.d.setNick('bobby'));
      at(5 * I, () => (lobbyAt5s = a.d.snapshot()));
      at(10 * I + 500, () => c.d.close());
      at(20 * I, () => [a, b].forEach((p) => p.d.close()));
    });
    expect(lobbyAt5s?.clients.map((x) => [x.id, x.nick, x.address, x.state])).toEqual([['peer-b', 'bobby', '10.0.0.2', 'alive']]);
    expect(lobbyAt5s?.servers.map((s) => [s.id, s.endpoint, s.channels, s.isDedicatedServer])).toEqual([
      ['peer-c', { address: '10.0.0.3', port: 50_000 }, ['#lobby'], true],
    ]);
    expect(ofKind(a.events, 'appeared').map((e) => e.peer.id).sort()).toEqual(['peer-b', 'peer-c']);
    const nick = ofKind(a.events, 'nickChanged');
    expect(nick.map((e) => [e.peerId, e.previous, e.nick])).toEqual([['peer-b', 'bob', 'bobby']]);
    // The change is announced at once, not at the next periodic announcement.
    expect((nick[0]?.at ?? 0) - (3 * I + 100)).toBeLessThan(I / 4);
    // Liveness of the closed peer, in intervals since it went silent (docs/protocol.md §4).
    const closedAt = 10 * I + 500;
    const intervalsAfter = (kind: PeerEvent['kind']) =>
      a.events.filter((e) => e.kind === kind && 'peerId' in e && e.peerId === 'peer-c').map((e) => (e.at - closedAt) / I);
    expect(intervalsAfter('suspect')).toEqual([expect.closeTo(1, 0)]);
    expect(intervalsAfter('disconnected')).toEqual([expect.closeTo(3, 0)]);
    expect(intervalsAfter('gone')).toEqual([expect.closeTo(4, 0)]);
    expect(intervalsAfter('channelClosed')).toHaveLength(1);
    expect(ofKind(a.events, 'suspect').map((e) => e.peerId)).toEqual(['peer-c']);
    const last = a.lobbies.at(-1);
    expect(last?.peers.map((p) => p.id)).toEqual(['peer-b']);
  });

  it('ignores its own PDUs and counts them', () => {
    let stats: ReturnType<Discovery['stats']> | undefined;
    virtual((at, net) => {
      const a = peer(net, 'solo', '10.0.0.1', { nick: 'me' });
      at(5 * I, () => {
        stats = a.d.stats();
        expect(a.d.snapshot().peers).toEqual([]);
        a.d.close();
      });
    });
    expect(stats?.own).toBeGreaterThanOrEqual(5);
    expect(stats?.accepted).toBe(0);
  });

  it('never sends a private channel, whatever the caller passes', () => {
    let seen: Uint8Array[] = [];
    virtual((at, net) => {
      const s = spy(net);
      seen = s.seen;
      const a = peer(net, 'leaky', '10.0.0.1', { nick: 'ann', server: { port: 50_000, channels: ['@boot', '#ok'] } });
      at(100, () => a.d.setMemberships([{ serverId: 'x', channels: ['@secret', '#pub'] }, { serverId: 'y', channels: ['@only'] }]));
      at(300, () => a.d.setServer({ port: 50_001, channels: ['@mine', '#hosted'] }));
      at(500, () => a.d.invite('@private', ['someone']));
      at(700, () => a.d.invite('#public', ['someone']));
      at(3 * I, () => {
        expect(a.d.stats().channelsFiltered).toBe(5); // @boot, @secret, @only, @mine, @private
        a.d.close();
        s.port.close();
      });
    });
    expect(seen.length).toBeGreaterThan(3);
    const at = '@'.charCodeAt(0);
    for (const bytes of seen) expect(bytes.includes(at)).toBe(false);
    const decoded = seen.map((b) => decodePdu(b)).flatMap((r) => (r.ok ? [r.value] : []));
    expect(decoded.some((p) => p.options.some((o) => o.type === 'SERVER_INVITE' && o.channel === '#public'))).toBe(true);
  });

  it('announces an invitation at once and in the next two announcements only; the invitee reports it once', () => {
    let invitee!: ReturnType<typeof peer>;
    let seen: Uint8Array[] = [];
    virtual((at, net) => {
      const s = spy(net);
      seen = s.seen;
      const host = peer(net, 'host', '10.0.0.1', { server: { port: 50_000, channels: ['#party'] } });
      invitee = peer(net, 'guest', '10.0.0.2', { nick: 'gus' });
      at(2 * I + 300, () => host.d.invite('#party', ['guest', 'other']));
      at(10 * I, () => {
        expect(invitee.d.snapshot().invitations).toEqual([
          { serverId: 'host', channel: '#party', endpoint: { address: '10.0.0.1', port: 50_000 }, receivedAt: expect.any(Number) },
        ]);
        [host, invitee].forEach((p) => p.d.close());
        s.port.close();
      });
    });
    const withInvite = seen.map((b) => decodePdu(b)).filter((r) => r.ok && r.value.options.some((o) => o.type === 'SERVER_INVITE'));
    expect(withInvite).toHaveLength(3);
    const invited = ofKind(invitee.events, 'invited');
    expect(invited).toHaveLength(1);
    expect((invited[0]?.at ?? 0) - (2 * I + 300)).toBeLessThan(I / 4);
  });

  it('a burst of changes stays within the announcement cap', () => {
    let seen: Uint8Array[] = [];
    virtual((at, net) => {
      const s = spy(net);
      seen = s.seen;
      const a = peer(net, 'busy', '10.0.0.1', { nick: 'n0', intervalMs: 60_000, maxAnnouncementsPerSecond: 4 });
      for (let i = 1; i <= 2_000; i++) at(i, () => a.d.setNick(`n${i}`));
      at(5 * I, () => {
        a.d.close();
        s.port.close();
      });
    });
    // 0 .. 2 s of burst plus the trailing edge: at most one per 250 ms.
    expect(seen.length).toBeLessThanOrEqual(Math.floor(2_250 / 250) + 1);
    const last = decodePdu(seen.at(-1) ?? new Uint8Array());
    expect(last.ok && last.value.options).toContainEqual({ type: 'CLIENT_NICK', nick: 'n2000' });
  });

  it('survives a malformed and oversize flood, rate-limits the flooder, and still follows a real peer', () => {
    let victim!: ReturnType<typeof peer>;
    virtual((at, net) => {
      victim = peer(net, 'victim', '10.0.0.1', { maxPdusPerSecondPerSource: 50 });
      const friend = peer(net, 'friend', '10.0.0.2', { nick: 'fred' });
      const attacker = net.port({ address: '10.6.6.6' });
      for (let t = 0; t < 3 * I; t += 5) {
        at(t, () => {
          attacker.send(new Uint8Array([0x41, 0x42, 0x43])); // no NUL: truncated peer ID
          attacker.send(new Uint8Array(5_000)); // oversize
          attacker.send(new Uint8Array([0x00, 0x01])); // empty peer ID
        });
      }
      at(2 * I, () => friend.d.setNick('freddy'));
      at(8 * I, () => {
        [victim, friend].forEach((p) => p.d.close());
        attacker.close();
      });
    });
    const stats = victim.d.stats();
    expect(stats.oversize).toBe(600);
    // 50 per second from the flooder get through to the decoder, the rest are cut before it.
    expect(stats.malformed).toBeGreaterThanOrEqual(100);
    expect(stats.malformed).toBeLessThanOrEqual(200);
    expect(stats.rateLimited).toBe(1_200 - stats.malformed);
    expect(ofKind(victim.events, 'nickChanged').map((e) => e.nick)).toEqual(['freddy']);
    expect(ofKind(victim.events, 'suspect')).toEqual([]);
  });

  it('tracks at most maxPeers, evicting the longest-silent first', () => {
    let victim!: ReturnType<typeof peer>;
    virtual((at, net) => {
      victim = peer(net, 'victim', '10.0.0.1', { maxPeers: 50, maxPdusPerSecondPerSource: 10_000 });
      const forger = net.port({ address: '10.6.6.6' });
      at(10, () => {
        for (let i = 0; i < 500; i++) forger.send(encodePdu({ peerId: `fake-${i}`, options: [] }));
      });
      at(500, () => {
        expect(victim.d.stats().peers).toBe(50);
        expect(victim.d.snapshot().peers.map((p) => p.id)).toContain('fake-499');
        expect(victim.d.peer('fake-0')).toBeUndefined();
        expect(victim.d.peersAt('10.6.6.6')).toHaveLength(50);
        victim.d.close();
        forger.close();
      });
    });
    expect(victim.d.stats().evicted).toBe(450);
  });

  it('builds at most one lobby snapshot per lobbyThrottleMs under a stream of new peers; events are not delayed', () => {
    let victim!: ReturnType<typeof peer>;
    virtual((at, net) => {
      victim = peer(net, 'victim', '10.0.0.1', { maxPdusPerSecondPerSource: 10_000 });
      const forger = net.port({ address: '10.6.6.6' });
      for (let i = 0; i < 1_000; i++) at(i, () => forger.send(encodePdu({ peerId: `fake-${i}`, options: [] })));
      at(1_500, () => {
        victim.d.close();
        forger.close();
      });
    });
    expect(ofKind(victim.events, 'appeared')).toHaveLength(1_000);
    expect(ofKind(victim.events, 'appeared').at(-1)?.at).toBe(999);
    // The initial snapshot, then one per 100 ms window of the second of arrivals.
    expect(victim.lobbies.length).toBeLessThanOrEqual(1 + 10 + 1);
    expect(victim.lobbies.at(-1)?.peers).toHaveLength(1_000);
  });

  it('close completes the streams and is idempotent; bad options throw typed errors', () => {
    virtual((_at, net) => {
      const d = discover(net.port(), { scheduler });
      let done = 0;
      d.events$.subscribe({ complete: () => (done += 1) });
      d.lobby$.subscribe({ complete: () => (done += 1) });
      d.close();
      d.close();
      expect(done).toBe(2);
      expect(() => d.setNick('late')).not.toThrow();
      expect(() => discover(net.port(), { peerId: 'has space' })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
      expect(() => discover(net.port(), { server: { port: 80, channels: [] } })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    });
  });

  it('rejects own values that could never be announced, at once and with a typed error', () => {
    virtual((_at, net) => {
      const d = discover(net.port(), { scheduler, server: { port: 50_000, channels: [] } });
      const invalid = expect.objectContaining({ code: 'INVALID_OPTION' });
      expect(() => d.setNick('')).toThrow(invalid);
      expect(() => d.setNick('nul\u0000inside')).toThrow(invalid);
      expect(() => d.setNick('x'.repeat(1_400))).toThrow(invalid);
      expect(() => d.setMemberships([{ serverId: 'has space', channels: ['#a'] }])).toThrow(invalid);
      expect(() => d.invite('#a', ['ok', ''])).toThrow(invalid);
      expect(() => d.setNick('ünïcödé nick')).not.toThrow();
      d.close();
      expect(d.stats().encodeErrors).toBe(0);
    });
  });
});
