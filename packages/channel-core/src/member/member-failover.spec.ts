import { describe, expect, it } from 'vitest';
import { createMember } from './member.js';
import { events, exitSent, H, joined, lobbyHost, S, say, standby, wire } from './member-harness.js';
import type { MemberTarget } from './member-types.js';

describe('member: fast path (docs/protocol.md §5)', () => {
  it('closed without EXIT: reconnects to the same host and rejoins it quietly', () => {
    const { m, feed } = joined([say('x', '1')]);
    expect(m.handle({ kind: 'closed' })).toEqual([{ kind: 'connect', target: H }]);
    m.handle({ kind: 'connected' });
    expect(events(feed(say('x', '1'), say('x', '2'), standby('S')))).toEqual([
      { event: 'history', author: 'x', text: '2' },
      { event: 'standby', standby: 'S', host: 'H' },
    ]);
  });

  it('reconnect refused: fails over to the standby at once', () => {
    const { m, feed } = joined();
    m.handle({ kind: 'closed' });
    expect(m.handle({ kind: 'connect-failed', refused: true })).toEqual([{ kind: 'connect', target: S }]);
    m.handle({ kind: 'connected' });
    expect(events(feed(standby('S')))).toEqual([
      { event: 'failover', from: 'H', host: 'S', reason: 'closed' },
      { event: 'standby', standby: 'S', host: 'S' },
    ]);
  });

  it('reconnect accepted but closed again before STANDBY: fails over', () => {
    const { m } = joined();
    m.handle({ kind: 'closed' });
    m.handle({ kind: 'connected' });
    expect(m.handle({ kind: 'closed' })).toEqual([{ kind: 'connect', target: S }]);
  });

  it('standby gone from the lobby: the next host announcing the channel, smallest ID first', () => {
    const T: MemberTarget = { peerId: 'T', address: '127.0.0.2', port: 50_003 };
    const U: MemberTarget = { peerId: 'U', address: '127.0.0.3', port: 50_004 };
    const { m } = joined([], 'S', [lobbyHost(H), lobbyHost(U), lobbyHost(T)]);
    m.handle({ kind: 'closed' });
    expect(m.handle({ kind: 'connect-failed', refused: true })).toEqual([{ kind: 'connect', target: T }]);
    expect(m.handle({ kind: 'connect-failed', refused: true })).toEqual([{ kind: 'connect', target: U }]);
    // A second round (docs/protocol.md §5.5), the host we left last of all.
    const second = [T, U, H].map(() => m.handle({ kind: 'connect-failed', refused: true }));
    expect(second).toEqual([[{ kind: 'connect', target: T }], [{ kind: 'connect', target: U }], [{ kind: 'connect', target: H }]]);
    expect(m.handle({ kind: 'connect-failed', refused: true })).toEqual([{ kind: 'event', event: { event: 'left', reason: 'lost' } }]);
  });

  it('a failover target that closes during the join counts as failed', () => {
    const T: MemberTarget = { peerId: 'T', address: '127.0.0.2', port: 50_003 };
    const { m } = joined([], 'S', [lobbyHost(H), lobbyHost(S, 'alive', []), lobbyHost(T)]);
    m.handle({ kind: 'closed' });
    m.handle({ kind: 'connect-failed', refused: true });
    m.handle({ kind: 'connected' });
    expect(m.handle({ kind: 'closed' })).toEqual([{ kind: 'connect', target: T }]);
  });

  it('we are the standby and can host: fail over to our own embedded host', () => {
    const { m } = joined([], 'me', undefined, { selfEndpoint: { address: '127.0.0.1', port: 50_009 } });
    m.handle({ kind: 'closed' });
    expect(m.handle({ kind: 'connect-failed', refused: true })).toEqual([{ kind: 'connect', target: { peerId: 'me', address: '127.0.0.1', port: 50_009 } }]);
  });

  it('we are the standby but cannot host: the channel is lost', () => {
    const { m } = joined([], 'me', [lobbyHost(H)]);
    m.handle({ kind: 'closed' });
    // Only the host we left remains, tried once more in the second round.
    expect(m.handle({ kind: 'connect-failed', refused: true })).toEqual([{ kind: 'connect', target: H }]);
    expect(events(m.handle({ kind: 'connect-failed', refused: true }))).toEqual([{ event: 'left', reason: 'lost' }]);
    expect(m.snapshot().phase).toBe('left');
  });
});

describe('member: timer path and partition heal', () => {
  it('stays while the host is only suspect, fails over when it is disconnected', () => {
    const { m } = joined();
    expect(m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H, 'maybeDisconnected'), lobbyHost(S, 'alive', [])] })).toEqual([]);
    expect(m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H), lobbyHost(S, 'alive', [])] })).toEqual([]);
    expect(m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H, 'disconnected'), lobbyHost(S, 'alive', [])] })).toEqual([
      exitSent,
      { kind: 'disconnect' },
      { kind: 'connect', target: S },
    ]);
  });

  it('treats a host dropped from the lobby after it was suspect as disconnected', () => {
    const { m } = joined();
    m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H, 'maybeDisconnected'), lobbyHost(S, 'alive', [])] });
    expect(wire(m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(S, 'alive', [])] }))).toEqual([exitSent, { kind: 'disconnect' }, { kind: 'connect', target: S }]);
  });

  it('never fails over from our own embedded host on lobby news', () => {
    const m = createMember({ selfId: 'me', channel: '#a', selfEndpoint: { address: '127.0.0.1', port: 50_009 } });
    m.handle({ kind: 'join', target: { peerId: 'me', address: '127.0.0.1', port: 50_009 } });
    m.handle({ kind: 'connected' });
    m.handle({ kind: 'frame', command: standby('me'), at: 0 });
    expect(m.handle({ kind: 'lobby', at: 0, hosts: [] })).toEqual([]);
  });

  it('moves to a smaller-ID host announcing the same channel, with the re-send rules', () => {
    const A: MemberTarget = { peerId: 'A', address: '127.0.0.4', port: 50_005 };
    const { m, feed } = joined([say('x', '1')]);
    m.handle({ kind: 'post', text: 'p' });
    expect(m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(A), lobbyHost(H)] })).toEqual([
      { kind: 'send', command: { cmd: 'EXIT' } },
      { kind: 'disconnect' },
      { kind: 'connect', target: A },
    ]);
    m.handle({ kind: 'connected' });
    const fx = feed(say('y', '2'), standby('A'));
    expect(events(fx)).toEqual([
      { event: 'failover', from: 'H', host: 'A', reason: 'partition' },
      { event: 'history', author: 'y', text: '2' },
      { event: 'standby', standby: 'A', host: 'A' },
    ]);
    expect(wire(fx)).toEqual([{ kind: 'send', command: { cmd: 'SAY', text: 'p' } }]);
  });

  it('returns to its host when the partition winner cannot be reached, and stops trying it', () => {
    const A: MemberTarget = { peerId: 'A', address: '127.0.0.4', port: 50_005 };
    const { m, feed } = joined([say('x', '1')]);
    const healed = [lobbyHost(A), lobbyHost(H)];
    m.handle({ kind: 'lobby', at: 0, hosts: healed });
    expect(m.handle({ kind: 'connect-failed', refused: true })).toEqual([{ kind: 'connect', target: H }]);
    m.handle({ kind: 'connected' });
    expect(events(feed(say('x', '1'), standby('S')))).toEqual([{ event: 'standby', standby: 'S', host: 'H' }]);
    expect(m.handle({ kind: 'lobby', at: 0, hosts: healed })).toEqual([]);
    // Once discovery has seen A go and come back, it is a candidate again.
    m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H)] });
    expect(wire(m.handle({ kind: 'lobby', at: 0, hosts: healed })).at(-1)).toEqual({ kind: 'connect', target: A });
  });

  it('does not move to a larger-ID host, nor back to a host it failed over from', () => {
    const Z: MemberTarget = { peerId: 'Z', address: '127.0.0.5', port: 50_006 };
    const { m } = joined();
    expect(m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H), lobbyHost(Z), lobbyHost(S, 'alive', [])] })).toEqual([]);
    // Fail over H → S (fast path), while H still looks alive to discovery.
    m.handle({ kind: 'closed' });
    m.handle({ kind: 'connect-failed', refused: true });
    m.handle({ kind: 'connected' });
    m.handle({ kind: 'frame', command: standby('S'), at: 0 });
    expect(m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H), lobbyHost(S)] })).toEqual([]);
  });
});

describe('member: a restarted host', () => {
  it('is the standby again once our host names it, though discovery never saw it go', () => {
    const { m } = joined();
    // H dies (fast path) and we fail over to S; H restarts within an interval on a new port.
    m.handle({ kind: 'closed' });
    m.handle({ kind: 'connect-failed', refused: true });
    m.handle({ kind: 'connected' });
    m.handle({ kind: 'frame', command: standby('S'), at: 0 });
    const H2: MemberTarget = { ...H, port: 50_011 };
    m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H2, 'alive', []), lobbyHost(S)] });
    expect(events(m.handle({ kind: 'frame', command: standby('H'), at: 0 }))).toEqual([{ event: 'standby', standby: 'H', host: 'S' }]);
    m.handle({ kind: 'closed' });
    expect(m.handle({ kind: 'connect-failed', refused: true })).toEqual([{ kind: 'connect', target: H2 }]);
  });

  it('is not a partition-heal winner while its old channel list lingers in the lobby', () => {
    const { m } = joined();
    m.handle({ kind: 'closed' });
    m.handle({ kind: 'connect-failed', refused: true });
    m.handle({ kind: 'connected' });
    m.handle({ kind: 'frame', command: standby('S'), at: 0 });
    m.handle({ kind: 'frame', command: standby('H'), at: 0 });
    // H (smaller ID than S) still appears to announce #a from before its restart: stay on S.
    expect(m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H), lobbyHost(S)] })).toEqual([]);
  });
});

describe('member: expected re-sends across two failovers', () => {
  it('forgets an expected re-send that reached the next host’s history', () => {
    const T: MemberTarget = { peerId: 'T', address: '127.0.0.2', port: 50_003 };
    const { m, feed } = joined([say('a', '1'), say('b', '2')], 'S', [lobbyHost(H), lobbyHost(S, 'alive', []), lobbyHost(T, 'alive', [])]);
    m.handle({ kind: 'closed' });
    m.handle({ kind: 'connect-failed', refused: true });
    m.handle({ kind: 'connected' });
    feed(say('a', '1'), standby('T'));
    expect(m.snapshot().expectedResends).toBe(1);
    // S dies before b's re-send reaches us; T got it.
    m.handle({ kind: 'closed' });
    expect(m.handle({ kind: 'connect-failed', refused: true })).toEqual([{ kind: 'connect', target: T }]);
    m.handle({ kind: 'connected' });
    expect(events(feed(say('a', '1'), say('b', '2'), standby('T')))).toEqual([
      { event: 'failover', from: 'S', host: 'T', reason: 'closed' },
      { event: 'standby', standby: 'T', host: 'T' },
    ]);
    expect(m.snapshot().expectedResends).toBe(0);
  });
});
