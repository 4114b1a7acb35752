import { describe, expect, it } from 'vitest';
import { createMember } from './member.js';
import { events, H, joined, lobbyHost, S, say, standby, wire } from './member-harness.js';
import type { MemberEffect, MemberTarget } from './member-types.js';

const flood = { cmd: 'ERROR', reason: 'FLOOD: more than 100 frames/s, frames dropped' } as const;
const storeDown = { cmd: 'ERROR', reason: 'STORE_UNAVAILABLE: history cannot be written' } as const;
const sent = (fx: readonly MemberEffect[]): string[] => fx.flatMap((e) => (e.kind === 'send' && e.command.cmd === 'SAY' ? [e.command.text] : []));
const schedules = (fx: readonly MemberEffect[]): number[] => fx.flatMap((e) => (e.kind === 'schedule' ? [e.afterMs] : []));
const T: MemberTarget = { peerId: 'T', address: '127.0.0.3', port: 50_003 };

describe('member: posts the host refused (docs/protocol.md §6.2)', () => {
  it('FLOOD refuses the oldest SAY in flight; it is re-sent after the back-off, before later posts, and shown once', () => {
    const { m, feed } = joined();
    for (const t of ['a', 'b', 'c']) m.handle({ kind: 'post', text: t });
    const first = feed(flood);
    expect(schedules(first)).toEqual([250]);
    expect(events(first)).toEqual([{ event: 'error', code: 'FLOOD', message: flood.reason }]);
    expect(events(feed(say('me', 'b')))).toEqual([{ event: 'say', author: 'me', text: 'b' }]);
    // c refused too: the same wake-up serves both, and the run of refusals is shown once.
    expect(feed(flood)).toEqual([]);
    // A post behind a refused one waits for the re-send, so the author's order holds.
    expect(m.handle({ kind: 'post', text: 'd' })).toEqual([]);
    expect(m.snapshot().pending).toEqual(['a', 'c', 'd']);
    expect(sent(m.handle({ kind: 'timer' }))).toEqual(['a', 'c', 'd']);
    expect(events(feed(say('me', 'a'), say('me', 'c'), say('me', 'd')))).toEqual(['a', 'c', 'd'].map((text) => ({ event: 'say', author: 'me', text })));
    expect(m.pendingCount()).toBe(0);
    // Nothing left to do: a late timer sends nothing.
    expect(m.handle({ kind: 'timer' })).toEqual([]);
  });

  it('backs off exponentially while refusals go on (capped at retryMaxMs), from the start again after an echo', () => {
    const { m, feed } = joined([], 'S', undefined, { retryBaseMs: 100, retryMaxMs: 1_000 });
    m.handle({ kind: 'post', text: 'x' });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      delays.push(...schedules(feed(storeDown)));
      expect(sent(m.handle({ kind: 'timer' }))).toEqual(['x']);
    }
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    feed(say('me', 'x'));
    m.handle({ kind: 'post', text: 'y' });
    expect(schedules(feed(storeDown))).toEqual([100]);
  });

  it('STORE_UNAVAILABLE is retried like FLOOD; other ERRORs only show and refuse nothing', () => {
    const { m, feed } = joined();
    m.handle({ kind: 'post', text: 'x' });
    expect(events(feed({ cmd: 'ERROR', reason: 'NOT_JOINED: SAY before JOIN' }))).toMatchObject([{ code: 'NOT_JOINED' }]);
    expect(m.handle({ kind: 'timer' })).toEqual([]);
    expect(schedules(feed(storeDown))).toEqual([250]);
    expect(sent(m.handle({ kind: 'timer' }))).toEqual(['x']);
  });

  it('a host that never refuses (other implementations) works as before: FLOOD with nothing in flight only shows', () => {
    const { m, feed } = joined();
    for (const t of ['a', 'b']) m.handle({ kind: 'post', text: t });
    // Echoes in any order end their pending posts.
    feed(say('me', 'b'), say('me', 'a'));
    expect(m.pendingCount()).toBe(0);
    const fx = feed(flood);
    expect(wire(fx)).toEqual([]);
    expect(events(fx)).toMatchObject([{ event: 'error', code: 'FLOOD' }]);
  });

  it('refused posts still pending at a failover go to the new host once, after its join; the old wake-up is void', () => {
    const { m, feed } = joined();
    m.handle({ kind: 'post', text: 'r' });
    feed(flood);
    m.handle({ kind: 'closed' });
    m.handle({ kind: 'connect-failed', refused: true });
    m.handle({ kind: 'connected' });
    expect(m.handle({ kind: 'timer' })).toEqual([]);
    expect(sent(feed(standby('S')))).toEqual(['r']);
    expect(m.handle({ kind: 'timer' })).toEqual([]);
    expect(events(feed(say('me', 'r')))).toEqual([{ event: 'say', author: 'me', text: 'r' }]);
  });
});

describe('member: joins refused for capacity, and failover dials that time out', () => {
  it('a busy host (MAX_CONNECTIONS_PER_IP at accept) is closed and dialled again after a growing back-off, shown once', () => {
    const m = createMember({ selfId: 'me', channel: '#a' });
    m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H), lobbyHost(T)] });
    m.handle({ kind: 'join', target: H });
    m.handle({ kind: 'connected' });
    const busy = { cmd: 'ERROR', reason: 'MAX_CONNECTIONS_PER_IP: max connections per ip reached, try later' } as const;
    const fx = m.handle({ kind: 'frame', command: busy, at: 0 });
    expect(wire(fx)).toEqual([{ kind: 'disconnect' }, { kind: 'schedule', afterMs: 250 }]);
    expect(events(fx)).toMatchObject([{ event: 'error', code: 'MAX_CONNECTIONS_PER_IP' }]);
    expect(m.snapshot().phase).toBe('connecting');
    // Same host again, not the other one announcing the channel.
    expect(m.handle({ kind: 'timer' })).toEqual([{ kind: 'connect', target: H }]);
    m.handle({ kind: 'connected' });
    expect(m.handle({ kind: 'frame', command: { cmd: 'ERROR', reason: 'NOT_ACCEPTING: not accepting connections' }, at: 1 })).toEqual([
      { kind: 'disconnect' },
      { kind: 'schedule', afterMs: 500 },
    ]);
    m.handle({ kind: 'timer' });
    m.handle({ kind: 'connected' });
    expect(events(m.handle({ kind: 'frame', command: standby('S'), at: 2 }))[0]).toEqual({ event: 'joined', host: 'H' });
  });

  it('an address over its connection rate (CONNECTION_RATE_PER_IP at accept) is a busy host: the same host again after a back-off', () => {
    const m = createMember({ selfId: 'me', channel: '#a' });
    m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H), lobbyHost(T)] });
    m.handle({ kind: 'join', target: H });
    m.handle({ kind: 'connected' });
    const busy = { cmd: 'ERROR', reason: 'CONNECTION_RATE_PER_IP: too many new connections from this ip, try later' } as const;
    expect(wire(m.handle({ kind: 'frame', command: busy, at: 0 }))).toEqual([{ kind: 'disconnect' }, { kind: 'schedule', afterMs: 250 }]);
    expect(m.handle({ kind: 'timer' })).toEqual([{ kind: 'connect', target: H }]);
  });

  it.each(['ID_IN_USE', 'CREATE_RATE'])('%s before STANDBY (our older connection not gone there yet; too many creations) is a busy host: the same host again after a back-off', (code) => {
    const m = createMember({ selfId: 'me', channel: '#a' });
    m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H), lobbyHost(T)] });
    m.handle({ kind: 'join', target: H });
    m.handle({ kind: 'connected' });
    const busy = { cmd: 'ERROR', reason: `${code}: try later` } as const;
    expect(wire(m.handle({ kind: 'frame', command: busy, at: 0 }))).toEqual([{ kind: 'disconnect' }, { kind: 'schedule', afterMs: 250 }]);
    expect(m.handle({ kind: 'timer' })).toEqual([{ kind: 'connect', target: H }]);
  });

  it('during a failover, a busy standby keeps every member on it (CHANNEL_FULL, then joined)', () => {
    const { m } = joined([], 'S', [lobbyHost(H), lobbyHost(S, 'alive', []), lobbyHost(T)]);
    m.handle({ kind: 'closed' });
    expect(m.handle({ kind: 'connect-failed', refused: true })).toEqual([{ kind: 'connect', target: S }]);
    m.handle({ kind: 'connected' });
    m.handle({ kind: 'frame', command: { cmd: 'ERROR', reason: 'CHANNEL_FULL: #a is full' }, at: 0 });
    expect(m.handle({ kind: 'timer' })).toEqual([{ kind: 'connect', target: S }]);
    m.handle({ kind: 'connected' });
    expect(events(m.handle({ kind: 'frame', command: standby('T'), at: 1 }))[0]).toEqual({ event: 'failover', from: 'H', host: 'S', reason: 'closed' });
  });

  it('a failover dial that times out is tried dialRetries more times, then the next target', () => {
    const { m } = joined([], 'S', [lobbyHost(H), lobbyHost(S, 'alive', []), lobbyHost(T)], { dialRetries: 2 });
    m.handle({ kind: 'closed' });
    m.handle({ kind: 'connect-failed', refused: true });
    expect(m.handle({ kind: 'connect-failed', refused: false })).toEqual([{ kind: 'schedule', afterMs: 250 }]);
    expect(m.handle({ kind: 'timer' })).toEqual([{ kind: 'connect', target: S }]);
    expect(m.handle({ kind: 'connect-failed', refused: false })).toEqual([{ kind: 'schedule', afterMs: 500 }]);
    m.handle({ kind: 'timer' });
    expect(m.handle({ kind: 'connect-failed', refused: false })).toEqual([{ kind: 'connect', target: T }]);
  });

  it('a host discovery sees go while we wait moves on at once; exit while waiting voids the wake-up', () => {
    const { m } = joined([], 'S', [lobbyHost(H), lobbyHost(S, 'alive', []), lobbyHost(T)]);
    m.handle({ kind: 'closed' });
    m.handle({ kind: 'connect-failed', refused: true });
    m.handle({ kind: 'connect-failed', refused: false });
    expect(m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H, 'disconnected'), lobbyHost(S, 'disconnected', []), lobbyHost(T)] })).toEqual([{ kind: 'connect', target: T }]);
    m.handle({ kind: 'connected' });
    m.handle({ kind: 'frame', command: { cmd: 'ERROR', reason: 'MAX_CONNECTIONS: max connections reached, try later' }, at: 0 });
    expect(events(m.handle({ kind: 'exit' }))).toEqual([{ event: 'left', reason: 'exit' }]);
    expect(m.handle({ kind: 'timer' })).toEqual([]);
  });

  it('rejects a retryMaxMs below retryBaseMs', () => {
    expect(() => createMember({ selfId: 'me', channel: '#a', retryBaseMs: 1_000, retryMaxMs: 10 })).toThrow(RangeError);
  });
});
