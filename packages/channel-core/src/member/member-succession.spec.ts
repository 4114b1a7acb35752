/** Succession on the member side (docs/protocol.md §2.8, §5.5): where a member goes when host and standby are gone. */
import { describe, expect, it } from 'vitest';
import type { ServerCommand } from '@ims/codec';
import { createMember } from './member.js';
import { events, H, joined, lobbyHost, S } from './member-harness.js';
import type { MemberTarget } from './member-types.js';

const T: MemberTarget = { peerId: 'T', address: '127.0.0.2', port: 50_003 };
const U: MemberTarget = { peerId: 'U', address: '127.0.0.3', port: 50_004 };
const A: MemberTarget = { peerId: 'A', address: '127.0.0.4', port: 50_005 };
const SELF = { address: '127.0.0.1', port: 50_009 };
const me: MemberTarget = { peerId: 'me', ...SELF };
const standbyWith = (peerId: string, ...successors: string[]): ServerCommand => ({ cmd: 'STANDBY', peerId, successors });
const refused = { kind: 'connect-failed', refused: true } as const;

/** Joined to H with standby S (and `successors`), then H's reconnect and S are both refused. */
function hostAndStandbyGone(successors: string[], lobby = [lobbyHost(H), lobbyHost(S, 'alive', []), lobbyHost(T, 'alive', []), lobbyHost(U, 'alive', [])], selfEndpoint?: typeof SELF) {
  const { m, feed } = joined([], 'S', lobby, selfEndpoint === undefined ? {} : { selfEndpoint });
  feed(standbyWith('S', ...successors));
  m.handle({ kind: 'closed' });
  expect(m.handle(refused)).toEqual([{ kind: 'connect', target: S }]);
  return { m, feed, next: () => m.handle(refused) };
}

describe('member: successors (docs/protocol.md §5.5)', () => {
  it('after the standby, dials the successors in the order STANDBY named them', () => {
    const { next } = hostAndStandbyGone(['U', 'T']);
    expect(next()).toEqual([{ kind: 'connect', target: U }]);
    expect(next()).toEqual([{ kind: 'connect', target: T }]);
  });

  it('dials its own embedded host when it is the successor', () => {
    const { next } = hostAndStandbyGone(['me', 'T'], undefined, SELF);
    expect(next()).toEqual([{ kind: 'connect', target: me }]);
  });

  it('skips a successor discovery does not know or shows disconnected, and itself when it cannot host', () => {
    const { next } = hostAndStandbyGone(['me', 'X', 'U', 'T'], [lobbyHost(H), lobbyHost(S, 'alive', []), lobbyHost(U, 'disconnected', []), lobbyHost(T, 'maybeDisconnected', [])]);
    expect(next()).toEqual([{ kind: 'connect', target: T }]);
  });

  it('keeps the successors of the last STANDBY', () => {
    const { m, feed } = joined([], 'S', [lobbyHost(H), lobbyHost(S, 'alive', []), lobbyHost(T, 'alive', []), lobbyHost(U, 'alive', [])]);
    feed(standbyWith('S', 'T', 'U'));
    feed(standbyWith('S', 'U'));
    m.handle({ kind: 'closed' });
    m.handle(refused);
    expect(m.handle(refused)).toEqual([{ kind: 'connect', target: U }]);
  });

  it('after the successors, the hosts announcing the channel, then every peer that can host', () => {
    const { next } = hostAndStandbyGone(['T'], [lobbyHost(H), lobbyHost(S, 'alive', []), lobbyHost(T, 'alive', []), lobbyHost(U), lobbyHost(A, 'alive', [])]);
    expect(next()).toEqual([{ kind: 'connect', target: T }]);
    expect(next()).toEqual([{ kind: 'connect', target: U }]);
    expect(next()).toEqual([{ kind: 'connect', target: A }]);
    // Then one more round of all of them, the host we left last.
    expect([S, T, U, A, H].map(() => next())).toEqual([S, T, U, A, H].map((target) => [{ kind: 'connect', target }]));
    expect(events(next())).toEqual([{ event: 'left', reason: 'lost' }]);
  });

  it('a host that names no successors: every peer that can host (ourselves included), smallest ID first, before the announcing hosts', () => {
    const { next } = hostAndStandbyGone([], [lobbyHost(H), lobbyHost(S, 'alive', []), lobbyHost(U), lobbyHost(T, 'maybeDisconnected', []), lobbyHost(A, 'disconnected', [])], SELF);
    expect(next()).toEqual([{ kind: 'connect', target: T }]);
    expect(next()).toEqual([{ kind: 'connect', target: U }]);
    expect(next()).toEqual([{ kind: 'connect', target: me }]);
    expect([S, T, U, me, H].map(() => next())).toEqual([S, T, U, me, H].map((target) => [{ kind: 'connect', target }]));
  });

  it('out of targets while discovery still tracks a host it cannot hear: waits for the lobby, lost once it is dropped', () => {
    const { m, next } = hostAndStandbyGone([], [lobbyHost(H), lobbyHost(S, 'alive', []), lobbyHost(A, 'disconnected', [])]);
    // S, then H once more: then only A is left, disconnected.
    expect(next()).toEqual([{ kind: 'connect', target: S }]);
    expect(next()).toEqual([{ kind: 'connect', target: H }]);
    expect(next()).toEqual([]);
    expect(m.snapshot().phase).toBe('connecting');
    // A answers again (a healed partition): it is tried.
    expect(m.handle({ kind: 'lobby', at: 1, hosts: [lobbyHost(S, 'disconnected', []), lobbyHost(A, 'alive', [])] })).toEqual([{ kind: 'connect', target: A }]);
    expect(next()).toEqual([{ kind: 'connect', target: A }]);
    expect(next()).toEqual([]);
    // Discovery drops them all: nothing can come back.
    expect(events(m.handle({ kind: 'lobby', at: 2, hosts: [] }))).toEqual([{ event: 'left', reason: 'lost' }]);
  });

  it('a first JOIN that fails tries only the hosts announcing the channel', () => {
    const m = createMember({ selfId: 'me', channel: '#a' });
    m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H), lobbyHost(T, 'alive', []), lobbyHost(U)] });
    m.handle({ kind: 'join', target: H });
    expect(m.handle(refused)).toMatchObject([{ kind: 'event' }, { kind: 'connect', target: U }]);
    expect(events(m.handle(refused))).toEqual([{ event: 'left', reason: 'lost' }]);
  });

  it('a standby that is only suspected is still dialled first', () => {
    const { m } = joined([], 'S', [lobbyHost(H), lobbyHost(S, 'maybeDisconnected', []), lobbyHost(T)]);
    m.handle({ kind: 'closed' });
    expect(m.handle(refused)).toEqual([{ kind: 'connect', target: S }]);
  });
});
