import { describe, expect, it } from 'vitest';
import type { ServerCommand } from '@ims/codec';
import { createMember } from './member.js';
import type { LobbyHost, MemberEffect, MemberEvent, MemberOptions, MemberTarget } from './member-types.js';

const H: MemberTarget = { peerId: 'H', address: '127.0.0.1', port: 50_001 };
const S: MemberTarget = { peerId: 'S', address: '127.0.0.1', port: 50_002 };
const lobbyHost = (t: MemberTarget, state: LobbyHost['state'] = 'alive', channels = ['#a']): LobbyHost => ({
  id: t.peerId, address: t.address, port: t.port, state, channels,
});
const say = (authorId: string, text: string): ServerCommand => ({ cmd: 'SAY', authorId, text });
const standby = (peerId: string): ServerCommand => ({ cmd: 'STANDBY', peerId });
const events = (fx: readonly MemberEffect[]): MemberEvent[] => fx.flatMap((e) => (e.kind === 'event' ? [e.event] : []));
const wire = (fx: readonly MemberEffect[]): MemberEffect[] => fx.filter((e) => e.kind !== 'event');

/** A member joined to H (history `history`, standby `sb`), with the lobby showing `lobby`. */
function joined(history: ServerCommand[] = [], sb = 'S', lobby: LobbyHost[] = [lobbyHost(H), lobbyHost(S, 'alive', [])], opts: Partial<MemberOptions> = {}) {
  const m = createMember({ selfId: 'me', channel: '#a', ...opts });
  m.handle({ kind: 'lobby', hosts: lobby });
  m.handle({ kind: 'join', target: H });
  m.handle({ kind: 'connected' });
  const fx: MemberEffect[] = [];
  // Frames arrive 10 ms apart on the runtime's clock.
  let at = 0;
  for (const c of [...history, standby(sb)]) fx.push(...m.handle({ kind: 'frame', command: c, at: (at += 10) }));
  const feed = (...cmds: ServerCommand[]): MemberEffect[] => cmds.flatMap((command) => m.handle({ kind: 'frame', command, at: (at += 10) }));
  return { m, fx, feed };
}

describe('member: joining', () => {
  it('dials, sends JOIN with its ID, shows history until STANDBY', () => {
    const m = createMember({ selfId: 'me', channel: '#a' });
    expect(m.handle({ kind: 'join', target: H })).toEqual([{ kind: 'connect', target: H }]);
    expect(m.handle({ kind: 'connected' })).toEqual([{ kind: 'send', command: { cmd: 'JOIN', channel: '#a', clientId: 'me' } }]);
    expect(m.handle({ kind: 'frame', command: say('x', 'old'), at: 0 })).toEqual([]);
    expect(events(m.handle({ kind: 'frame', command: standby('H'), at: 0 }))).toEqual([
      { event: 'joined', host: 'H' },
      { event: 'history', author: 'x', text: 'old' },
      { event: 'standby', standby: 'H', host: 'H' },
    ]);
    expect(m.snapshot().phase).toBe('joined');
  });

  it('sends posts made before the join completes after STANDBY, once', () => {
    const m = createMember({ selfId: 'me', channel: '#a' });
    m.handle({ kind: 'post', text: 'early' });
    m.handle({ kind: 'join', target: H });
    m.handle({ kind: 'connected' });
    expect(wire(m.handle({ kind: 'frame', command: standby('H'), at: 0 }))).toEqual([{ kind: 'send', command: { cmd: 'SAY', text: 'early' } }]);
  });

  it('posts, then matches the echo: shown once, no longer pending', () => {
    const { m, feed } = joined();
    expect(m.handle({ kind: 'post', text: 'hi' })).toEqual([{ kind: 'send', command: { cmd: 'SAY', text: 'hi' } }]);
    expect(m.snapshot().pending).toEqual(['hi']);
    expect(events(feed(say('me', 'hi')))).toEqual([{ event: 'say', author: 'me', text: 'hi' }]);
    expect(m.snapshot().pending).toEqual([]);
  });

  it('reports a host ERROR with its code, and announces standby changes only', () => {
    const { feed } = joined();
    expect(events(feed({ cmd: 'ERROR', reason: 'NOT_JOINED: SAY before JOIN' }))).toEqual([
      { event: 'error', code: 'NOT_JOINED', message: 'NOT_JOINED: SAY before JOIN' },
    ]);
    expect(events(feed(standby('S')))).toEqual([]);
    expect(events(feed(standby('T')))).toEqual([{ event: 'standby', standby: 'T', host: 'H' }]);
  });

  it('EXIT sends EXIT, disconnects and reports left', () => {
    const { m } = joined();
    expect(m.handle({ kind: 'exit' })).toEqual([
      { kind: 'send', command: { cmd: 'EXIT' } },
      { kind: 'disconnect' },
      { kind: 'event', event: { event: 'left', reason: 'exit' } },
    ]);
    expect(events(m.handle({ kind: 'post', text: 'late' }))[0]).toMatchObject({ event: 'error', code: 'NOT_JOINED' });
  });

  it('keeps the newest seenLimit history entries of a long history', () => {
    const { fx } = joined([say('x', '1'), say('x', '2'), say('x', '3')], 'S', undefined, { seenLimit: 2 });
    expect(events(fx).filter((e) => e.event === 'history')).toEqual([
      { event: 'history', author: 'x', text: '2' },
      { event: 'history', author: 'x', text: '3' },
    ]);
  });

  it('refuses posts beyond pendingLimit', () => {
    const { m } = joined([], 'S', undefined, { pendingLimit: 1 });
    m.handle({ kind: 'post', text: 'a' });
    expect(events(m.handle({ kind: 'post', text: 'b' }))[0]).toMatchObject({ event: 'error', code: 'PENDING_FULL' });
  });

  it('a first join that fails tries another host announcing the channel, else is lost', () => {
    const m = createMember({ selfId: 'me', channel: '#a' });
    m.handle({ kind: 'lobby', hosts: [lobbyHost(S)] });
    m.handle({ kind: 'join', target: H });
    const fx = m.handle({ kind: 'connect-failed', refused: true });
    expect(events(fx)[0]).toMatchObject({ event: 'error', code: 'CONNECT_FAILED' });
    expect(wire(fx)).toEqual([{ kind: 'connect', target: S }]);
    expect(m.handle({ kind: 'connect-failed', refused: false })).toEqual([{ kind: 'event', event: { event: 'left', reason: 'lost' } }]);
  });
});

describe('member: options', () => {
  it.each([
    [{ selfId: '', channel: '#a' }],
    [{ selfId: 'me', channel: 'a' }],
    [{ selfId: 'me', channel: '#a', seenLimit: -1 }],
    [{ selfId: 'me', channel: '#a', pendingLimit: 0.5 }],
  ])('rejects %j', (opts) => {
    expect(() => createMember(opts)).toThrow(RangeError);
  });
});

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
    expect(events(m.handle({ kind: 'connect-failed', refused: true }))).toEqual([{ event: 'left', reason: 'lost' }]);
    expect(m.snapshot().phase).toBe('left');
  });
});

describe('member: no loss, no duplicates across failover', () => {
  it('shows unseen history once, re-sends what the new host lacks, swallows one re-send each', () => {
    const { m, feed } = joined([say('a', '1'), say('b', '2')]);
    m.handle({ kind: 'post', text: 'mine' });
    feed(say('me', 'mine'));
    m.handle({ kind: 'post', text: 'unechoed' });
    // H dies. S had only a:1 (it missed b:2 and mine), and got c:9 from someone after failing over.
    m.handle({ kind: 'closed' });
    m.handle({ kind: 'connect-failed', refused: true });
    m.handle({ kind: 'connected' });
    const fx = feed(say('a', '1'), say('c', '9'), standby('S'));
    expect(events(fx)).toEqual([
      { event: 'failover', from: 'H', host: 'S', reason: 'closed' },
      { event: 'history', author: 'c', text: '9' },
      { event: 'standby', standby: 'S', host: 'S' },
    ]);
    expect(wire(fx)).toEqual([
      { kind: 'send', command: { cmd: 'SAY', text: 'mine' } },
      { kind: 'send', command: { cmd: 'SAY', text: 'unechoed' } },
    ]);
    expect(m.snapshot().expectedResends).toBe(2);
    // b re-sends 2, our two posts echo: only the never-shown one appears.
    expect(events(feed(say('b', '2'), say('me', 'mine'), say('me', 'unechoed'), say('b', '2')))).toEqual([
      { event: 'say', author: 'me', text: 'unechoed' },
      { event: 'say', author: 'b', text: '2' },
    ]);
    expect(m.snapshot()).toMatchObject({ pending: [], expectedResends: 0 });
  });

  it('an unechoed post the new host already has is shown once from history, not re-sent', () => {
    const { m, feed } = joined([say('a', '1')]);
    m.handle({ kind: 'post', text: 'p' });
    m.handle({ kind: 'closed' });
    m.handle({ kind: 'connected' });
    const fx = feed(say('a', '1'), say('me', 'p'), standby('S'));
    expect(events(fx)).toContainEqual({ event: 'history', author: 'me', text: 'p' });
    expect(wire(fx)).toEqual([]);
    expect(m.snapshot().pending).toEqual([]);
  });
});

describe('member: timer path and partition heal', () => {
  it('stays while the host is only suspect, fails over when it is disconnected', () => {
    const { m } = joined();
    expect(m.handle({ kind: 'lobby', hosts: [lobbyHost(H, 'maybeDisconnected'), lobbyHost(S, 'alive', [])] })).toEqual([]);
    expect(m.handle({ kind: 'lobby', hosts: [lobbyHost(H), lobbyHost(S, 'alive', [])] })).toEqual([]);
    expect(m.handle({ kind: 'lobby', hosts: [lobbyHost(H, 'disconnected'), lobbyHost(S, 'alive', [])] })).toEqual([
      { kind: 'disconnect' },
      { kind: 'connect', target: S },
    ]);
  });

  it('treats a host dropped from the lobby as disconnected', () => {
    const { m } = joined();
    expect(wire(m.handle({ kind: 'lobby', hosts: [lobbyHost(S, 'alive', [])] }))).toEqual([{ kind: 'disconnect' }, { kind: 'connect', target: S }]);
  });

  it('never fails over from our own embedded host on lobby news', () => {
    const m = createMember({ selfId: 'me', channel: '#a', selfEndpoint: { address: '127.0.0.1', port: 50_009 } });
    m.handle({ kind: 'join', target: { peerId: 'me', address: '127.0.0.1', port: 50_009 } });
    m.handle({ kind: 'connected' });
    m.handle({ kind: 'frame', command: standby('me'), at: 0 });
    expect(m.handle({ kind: 'lobby', hosts: [] })).toEqual([]);
  });

  it('moves to a smaller-ID host announcing the same channel, with the re-send rules', () => {
    const A: MemberTarget = { peerId: 'A', address: '127.0.0.4', port: 50_005 };
    const { m, feed } = joined([say('x', '1')]);
    m.handle({ kind: 'post', text: 'p' });
    expect(m.handle({ kind: 'lobby', hosts: [lobbyHost(A), lobbyHost(H)] })).toEqual([
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
    m.handle({ kind: 'lobby', hosts: healed });
    expect(m.handle({ kind: 'connect-failed', refused: true })).toEqual([{ kind: 'connect', target: H }]);
    m.handle({ kind: 'connected' });
    expect(events(feed(say('x', '1'), standby('S')))).toEqual([{ event: 'standby', standby: 'S', host: 'H' }]);
    expect(m.handle({ kind: 'lobby', hosts: healed })).toEqual([]);
    // Once discovery has seen A go and come back, it is a candidate again.
    m.handle({ kind: 'lobby', hosts: [lobbyHost(H)] });
    expect(wire(m.handle({ kind: 'lobby', hosts: healed })).at(-1)).toEqual({ kind: 'connect', target: A });
  });

  it('does not move to a larger-ID host, nor back to a host it failed over from', () => {
    const Z: MemberTarget = { peerId: 'Z', address: '127.0.0.5', port: 50_006 };
    const { m } = joined();
    expect(m.handle({ kind: 'lobby', hosts: [lobbyHost(H), lobbyHost(Z), lobbyHost(S, 'alive', [])] })).toEqual([]);
    // Fail over H → S (fast path), while H still looks alive to discovery.
    m.handle({ kind: 'closed' });
    m.handle({ kind: 'connect-failed', refused: true });
    m.handle({ kind: 'connected' });
    m.handle({ kind: 'frame', command: standby('S'), at: 0 });
    expect(m.handle({ kind: 'lobby', hosts: [lobbyHost(H), lobbyHost(S)] })).toEqual([]);
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
    m.handle({ kind: 'lobby', hosts: [lobbyHost(H2, 'alive', []), lobbyHost(S)] });
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
    expect(m.handle({ kind: 'lobby', hosts: [lobbyHost(H), lobbyHost(S)] })).toEqual([]);
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

describe('member: seen posts and pending count', () => {
  it('seenPosts: exactly the posts shown, oldest first, with their frames’ arrival time', () => {
    const { m, feed } = joined([say('x', '1'), say('y', '2')]);
    m.handle({ kind: 'post', text: 'p' });
    feed(say('me', 'p'));
    expect(m.seenPosts()).toEqual([
      { authorId: 'x', text: '1', at: 10 },
      { authorId: 'y', text: '2', at: 20 },
      { authorId: 'me', text: 'p', at: 40 },
    ]);
  });

  it('seenPosts: a swallowed re-send is not seen twice', () => {
    const { m, feed } = joined([say('a', '1'), say('b', '2')], 'S', undefined, { seenLimit: 3 });
    m.handle({ kind: 'closed' });
    m.handle({ kind: 'connect-failed', refused: true });
    m.handle({ kind: 'connected' });
    feed(say('a', '1'), standby('S'));
    feed(say('b', '2'), say('c', '3'));
    expect(m.seenPosts().map((p) => `${p.authorId}:${p.text}`)).toEqual(['a:1', 'b:2', 'c:3']);
  });

  it('seenPosts: keeps the newest seenLimit posts', () => {
    const { m, feed } = joined([say('x', '1'), say('x', '2'), say('x', '3')], 'S', undefined, { seenLimit: 2 });
    expect(m.seenPosts().map((p) => p.text)).toEqual(['2', '3']);
    feed(say('x', '4'));
    expect(m.seenPosts().map((p) => p.text)).toEqual(['3', '4']);
  });

  it('pendingCount: own posts not yet echoed', () => {
    const { m, feed } = joined();
    expect(m.pendingCount()).toBe(0);
    m.handle({ kind: 'post', text: 'a' });
    m.handle({ kind: 'post', text: 'b' });
    expect(m.pendingCount()).toBe(2);
    feed(say('me', 'a'));
    expect(m.pendingCount()).toBe(1);
    m.handle({ kind: 'exit' });
    expect(m.pendingCount()).toBe(0);
  });
});
