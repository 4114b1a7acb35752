import { describe, expect, it } from 'vitest';
import type { HostEffect } from '../types.js';
import { errorCodes, harness, peer, received } from './host-harness.js';
import { MAX_QUEUED_WHILE_CHECKING } from './replace-check.js';

/** alice on c1 and bob on c2 in `channel`, then c3 from `address` claims to be alice. */
function claimed(channel = '#a', address = '10.0.0.66') {
  const h = harness();
  h.join('c1', channel, 'alice');
  if (channel.startsWith('@')) h.frame('c1', { cmd: 'INVITE', clientIds: ['bob'] });
  h.join('c2', channel, 'bob');
  h.open('c3', address);
  h.tick();
  const fx = h.frame('c3', { cmd: 'JOIN', channel, clientId: 'alice' });
  return { h, fx };
}

const closes = (fx: readonly HostEffect[]): string[] => fx.flatMap((e) => (e.kind === 'close' ? [e.conn] : []));
const members = (h: ReturnType<typeof harness>) => h.host.snapshot().channels[0]?.members.map((m) => `${m.id}@${m.conn}`);

describe('host: a JOIN claiming the ID of a member on a live connection (docs/protocol.md §10)', () => {
  it('checks the older connection instead of kicking it: a probe STANDBY, no answer to the claimant, a wake-up', () => {
    const { h, fx } = claimed();
    expect(closes(fx)).toEqual([]);
    expect(received(fx, 'c1')).toEqual([{ cmd: 'STANDBY', peerId: 'H' }]);
    expect(received(fx, 'c3')).toEqual([]);
    expect(fx).toContainEqual({ kind: 'wake', at: 1_003 + 2_000 });
    expect(members(h)).toEqual(['alice@c1', 'bob@c2']);
  });

  it('refuses the claimant with ID_IN_USE when the older connection is still open after replaceCheckMs; its frames never reach the channel', () => {
    const { h } = claimed();
    expect(received(h.say('c3', 'I am alice'), 'c2')).toEqual([]);
    h.tick(1_999);
    // An early tick only asks again for the deadline.
    expect(h.host.handle({ kind: 'tick' })).toEqual([{ kind: 'wake', at: 3_003 }]);
    h.tick(1);
    const fx = h.host.handle({ kind: 'tick' });
    expect(errorCodes(fx)).toEqual(['ID_IN_USE']);
    expect(closes(fx)).toEqual(['c3']);
    expect(fx.some((e) => e.kind === 'broadcast')).toBe(false);
    expect(members(h)).toEqual(['alice@c1', 'bob@c2']);
    // The real alice goes on posting as before.
    expect(received(h.say('c1', 'still me'), 'c2')).toEqual([{ cmd: 'SAY', authorId: 'alice', text: 'still me' }]);
  });

  it('hands the membership over, seniority kept, when the older connection fails the check (closes); queued frames follow in order', () => {
    const { h } = claimed();
    h.say('c3', 'after reconnect');
    const fx = h.closed('c1');
    expect(received(fx, 'c3')).toEqual([
      { cmd: 'STANDBY', peerId: 'H' },
      { cmd: 'SAY', authorId: 'alice', text: 'after reconnect' },
    ]);
    // The standby did not change: the others get no STANDBY for alice's reconnect.
    expect(received(fx, 'c2')).toEqual([{ cmd: 'SAY', authorId: 'alice', text: 'after reconnect' }]);
    expect(h.host.snapshot().channels[0]?.members).toEqual([
      { id: 'alice', conn: 'c3', joinedAt: 1_001 },
      { id: 'bob', conn: 'c2', joinedAt: 1_002 },
    ]);
    // The expired deadline finds nothing to refuse.
    h.tick(5_000);
    expect(errorCodes(h.host.handle({ kind: 'tick' }))).toEqual([]);
  });

  it('checks a claimant from the same address too (every local process can claim an ID it heard)', () => {
    const { h, fx } = claimed('#a', '127.0.0.1');
    expect(closes(fx)).toEqual([]);
    h.tick(2_000);
    expect(errorCodes(h.host.handle({ kind: 'tick' }))).toEqual(['ID_IN_USE']);
  });

  it('still checks when discovery places the member at the older connection\'s address', () => {
    const h = harness();
    h.peers(peer('alice', { address: '127.0.0.1' }));
    h.join('c1', '#a', 'alice');
    h.open('c3', '10.0.0.66');
    expect(closes(h.frame('c3', { cmd: 'JOIN', channel: '#a', clientId: 'alice' }))).toEqual([]);
    expect(members(h)).toEqual(['alice@c1']);
  });

  it('keeps an invited member of a private channel in, and the claimant out', () => {
    const { h, fx } = claimed('@p');
    expect(closes(fx)).toEqual([]);
    h.tick(2_000);
    expect(errorCodes(h.host.handle({ kind: 'tick' }))).toEqual(['ID_IN_USE']);
    expect(members(h)).toEqual(['alice@c1', 'bob@c2']);
  });

  it('bounds what a waiting claimant may queue', () => {
    const { h } = claimed();
    const codes: string[] = [];
    for (let i = 0; i <= MAX_QUEUED_WHILE_CHECKING; i++) codes.push(...errorCodes(h.say('c3', `x${i}`)));
    expect(codes).toEqual(['ID_IN_USE']);
  });

  it('forgets a claimant that closes while it waits', () => {
    const { h } = claimed();
    h.closed('c3');
    h.tick(2_000);
    expect(h.host.handle({ kind: 'tick' })).toEqual([]);
    expect(h.closed('c1').some((e) => e.kind === 'send' && e.conn === 'c3')).toBe(false);
  });

  it('waits for the given replaceCheckMs', () => {
    const h = harness({ replaceCheckMs: 50 });
    h.join('c1', '#a', 'alice');
    h.open('c3', '10.0.0.66');
    expect(h.frame('c3', { cmd: 'JOIN', channel: '#a', clientId: 'alice' })).toContainEqual({ kind: 'wake', at: 1_001 + 50 });
  });
});

describe('host: channel creations per address (docs/protocol.md §9)', () => {
  const create = (h: ReturnType<typeof harness>, conn: string, channel: string, address: string): HostEffect[] => {
    h.open(conn, address);
    return h.frame(conn, { cmd: 'JOIN', channel, clientId: conn });
  };

  it('lets an address create a burst, then refuses with CREATE_RATE and closes; another address is unaffected', () => {
    const h = harness({ channelCreationBurst: 5, channelCreationsPerSecond: 10 });
    for (let i = 0; i < 5; i++) expect(errorCodes(create(h, `a${i}`, `#c${i}`, '10.0.0.1'))).toEqual([]);
    const fx = create(h, 'a5', '#c5', '10.0.0.1');
    expect(errorCodes(fx)).toEqual(['CREATE_RATE']);
    expect(closes(fx)).toEqual(['a5']);
    expect(errorCodes(create(h, 'b0', '#d0', '10.0.0.2'))).toEqual([]);
    // Joining an existing channel is no creation.
    expect(errorCodes(create(h, 'a6', '#c0', '10.0.0.1'))).toEqual([]);
    // 10 a second: one more after 100 ms.
    h.tick(100);
    expect(errorCodes(create(h, 'a7', '#c7', '10.0.0.1'))).toEqual([]);
    expect(errorCodes(create(h, 'a8', '#c8', '10.0.0.1'))).toEqual(['CREATE_RATE']);
    expect(h.host.snapshot().channels.map((c) => c.name)).toEqual(['#c0', '#c1', '#c2', '#c3', '#c4', '#d0', '#c7']);
  });

  it('logs the first refusal of an episode at warn, the rest at debug', () => {
    const h = harness({ channelCreationBurst: 1 });
    create(h, 'a0', '#c0', '10.0.0.1');
    const levels = [1, 2, 3].flatMap((i) => create(h, `a${i}`, `#c${i}`, '10.0.0.1').flatMap((e) => (e.kind === 'log' && e.event === 'refused' ? [e.level] : [])));
    expect(levels).toEqual(['warn', 'debug', 'debug']);
  });

  it('does not charge a takeover (a name this host holds history for)', () => {
    const h = harness({ channelCreationBurst: 1 });
    h.host.handle({ kind: 'archive', channel: '#old', posts: [{ authorId: 'x', text: 'hi', at: 1 }] });
    expect(errorCodes(create(h, 'a0', '#new', '10.0.0.1'))).toEqual([]);
    expect(errorCodes(create(h, 'a1', '#old', '10.0.0.1'))).toEqual([]);
  });

  it('does not charge the return of a private channel whose admission list this host keeps', () => {
    const h = harness({ channelCreationBurst: 1 });
    h.host.handle({ kind: 'admitted', channel: '@p', ids: ['a0', 'a1'], stored: true });
    expect(errorCodes(create(h, 'a0', '@p', '10.0.0.1'))).toEqual([]);
    expect(errorCodes(create(h, 'x0', '#new', '10.0.0.1'))).toEqual([]);
  });

  it('budgets new private channels apart (their admission lists are kept for good): a burst, then privateCreationsPerHour', () => {
    const h = harness({ privateCreationBurst: 2, privateCreationsPerHour: 60 });
    expect(errorCodes(create(h, 'a0', '@p0', '10.0.0.1'))).toEqual([]);
    expect(errorCodes(create(h, 'a1', '@p1', '10.0.0.1'))).toEqual([]);
    const fx = create(h, 'a2', '@p2', '10.0.0.1');
    expect(errorCodes(fx)).toEqual(['CREATE_RATE']);
    expect(closes(fx)).toEqual(['a2']);
    // Public channels and other addresses are not affected; a minute later one more private one.
    expect(errorCodes(create(h, 'a3', '#pub', '10.0.0.1'))).toEqual([]);
    expect(errorCodes(create(h, 'b0', '@q0', '10.0.0.2'))).toEqual([]);
    h.tick(60_000);
    expect(errorCodes(create(h, 'a4', '@p4', '10.0.0.1'))).toEqual([]);
    expect(errorCodes(create(h, 'a5', '@p5', '10.0.0.1'))).toEqual(['CREATE_RATE']);
    // A name whose list the host keeps is not charged (the bucket is empty now): a stranger gets
    // NOT_INVITED, not CREATE_RATE, and a0 recreates @p0.
    h.closed('a0');
    expect(errorCodes(create(h, 'a6', '@p0', '10.0.0.1'))).toEqual(['NOT_INVITED']);
    h.open('a7', '10.0.0.1');
    expect(errorCodes(h.frame('a7', { cmd: 'JOIN', channel: '@p0', clientId: 'a0' }))).toEqual([]);
  });

  it('is off with channelCreationBurst 0', () => {
    const h = harness({ channelCreationBurst: 0 });
    for (let i = 0; i < 600; i++) expect(errorCodes(create(h, `a${i}`, `#c${i}`, '10.0.0.1'))).toEqual([]);
  });
});
