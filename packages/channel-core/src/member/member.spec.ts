import { describe, expect, it } from 'vitest';
import { createMember } from './member.js';
import { events, H, joined, lobbyHost, S, say, standby, wire } from './member-harness.js';

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
    m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(S)] });
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
      // H still shows alive: a wake-up to see whether it stays so (lost-marks.ts).
      { kind: 'schedule', afterMs: 18_000 },
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
