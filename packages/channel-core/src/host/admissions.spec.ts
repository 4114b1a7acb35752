/** Admission lists of private channels (docs/protocol.md §8): kept apart, never evicted, stored, sent to who may take over (§2.8). */
import { describe, expect, it } from 'vitest';
import type { ServerCommand } from '@ims/codec';
import type { HostEffect } from '../types.js';
import { errorCodes, harness, noLogs, peer, received } from './host-harness.js';

const admits = (fx: readonly HostEffect[]) => fx.filter((e) => e.kind === 'admit');
/** The admission frames `conn` receives (STANDBY with `admitted`). */
const lists = (fx: readonly HostEffect[], conn: string): ServerCommand[] => received(fx, conn).filter((c) => c.cmd === 'STANDBY' && c.admitted !== undefined);

describe('host: admission lists are never evicted nor erased', () => {
  it('survives churn of more closed channels than the archive keeps', () => {
    const h = harness({ maxArchivedChannels: 2 });
    h.join('c1', '@p', 'alice');
    h.say('c1', 'secret');
    h.closed('c1');
    for (let i = 0; i < 5; i++) {
      h.join(`t${i}`, `#junk${i}`, 'mallory');
      h.say(`t${i}`, 'x');
      h.closed(`t${i}`);
    }
    expect(h.host.snapshot()).toMatchObject({ archivedChannels: 2, privateChannels: 1 });
    expect(errorCodes(h.join('m', '@p', 'mallory'))).toEqual(['NOT_INVITED']);
    expect(errorCodes(h.join('a', '@p', 'alice'))).toEqual([]);
  });

  it('an archive of posts for the name keeps the list (the posts are served, the stranger refused)', () => {
    const h = harness();
    h.join('c1', '@p', 'alice');
    h.closed('c1');
    h.host.handle({ kind: 'archive', channel: '@p', posts: [{ authorId: 'alice', text: 'old', at: 5 }] });
    expect(errorCodes(h.join('m', '@p', 'mallory'))).toEqual(['NOT_INVITED']);
    expect(received(h.join('a', '@p', 'alice'), 'a')[0]).toEqual({ cmd: 'SAY', authorId: 'alice', text: 'old', at: 5 });
  });

  it('when maxPrivateChannels lists are kept, a new private channel is refused and no list is dropped', () => {
    const h = harness({ maxPrivateChannels: 1 });
    h.join('c1', '@p', 'alice');
    h.closed('c1');
    const refused = h.join('c2', '@q', 'bob');
    expect(errorCodes(refused)).toEqual(['TOO_MANY_CHANNELS']);
    expect(refused).toContainEqual({ kind: 'close', conn: 'c2', reason: 'TOO_MANY_CHANNELS' });
    expect(errorCodes(h.join('c3', '#pub', 'bob'))).toEqual([]);
    expect(errorCodes(h.join('c4', '@p', 'mallory'))).toEqual(['NOT_INVITED']);
    expect(errorCodes(h.join('c5', '@p', 'alice'))).toEqual([]);
    // A list learned for a new name is not kept either.
    expect(h.host.handle({ kind: 'admitted', channel: '@r', ids: ['x'] })).toContainEqual(expect.objectContaining({ kind: 'log', level: 'warn', event: 'admission-list-not-kept' }));
    expect(h.host.snapshot().privateChannels).toBe(1);
  });
});

describe('host: admission lists are stored (admit effects)', () => {
  it('stores the creator at creation and only the new IDs of an INVITE', () => {
    const h = harness();
    expect(admits(h.join('c1', '@p', 'alice'))).toEqual([{ kind: 'admit', channel: '@p', ids: ['alice'] }]);
    expect(admits(h.frame('c1', { cmd: 'INVITE', clientIds: ['bob', 'alice', 'carol'] }))).toEqual([{ kind: 'admit', channel: '@p', ids: ['bob', 'carol'] }]);
    expect(admits(h.frame('c1', { cmd: 'INVITE', clientIds: ['bob'] }))).toEqual([]);
    expect(admits(h.join('c2', '#pub', 'alice'))).toEqual([]);
  });

  it('a list read from the store (stored) or learned as a member decides who may create the channel', () => {
    const h = harness();
    expect(admits(h.host.handle({ kind: 'admitted', channel: '@p', ids: ['alice', 'bob'], stored: true }))).toEqual([]);
    expect(admits(h.host.handle({ kind: 'admitted', channel: '@p', ids: ['bob', 'carol'] }))).toEqual([{ kind: 'admit', channel: '@p', ids: ['carol'] }]);
    expect(errorCodes(h.join('m', '@p', 'mallory'))).toEqual(['NOT_INVITED']);
    expect(errorCodes(h.join('c', '@p', 'carol'))).toEqual([]);
    expect(errorCodes(h.join('a', '@p', 'alice'))).toEqual([]);
  });

  it('ignores a list for a public name, and keeps at most maxAdmittedPerChannel IDs', () => {
    const h = harness({ maxAdmittedPerChannel: 2 });
    expect(noLogs(h.host.handle({ kind: 'admitted', channel: '#pub', ids: ['a'] }))).toEqual([]);
    expect(admits(h.host.handle({ kind: 'admitted', channel: '@p', ids: ['a', 'b', 'c'] }))).toEqual([{ kind: 'admit', channel: '@p', ids: ['a', 'b'] }]);
    expect(errorCodes(h.join('c', '@p', 'c'))).toEqual(['NOT_INVITED']);
  });

  it('a takeover from posts without any list stays open (the old host sent none: §8)', () => {
    const h = harness();
    h.host.handle({ kind: 'archive', channel: '@p', posts: [{ authorId: 'a', text: 'x', at: 1 }] });
    h.join('c1', '@p', 'alice');
    expect(errorCodes(h.join('c2', '@p', 'bob'))).toEqual([]);
    expect(admits(h.frame('c1', { cmd: 'INVITE', clientIds: ['carol'] }))).toEqual([]);
  });
});

describe('host: the list goes to the standby and successors only (docs/protocol.md §2.8)', () => {
  function privateWithRoles() {
    const h = harness();
    h.peers(peer('alice'), peer('bob', { canHost: true }), peer('carol', { canHost: true }));
    h.join('ca', '@p', 'alice');
    h.frame('ca', { cmd: 'INVITE', clientIds: ['bob', 'carol'] });
    return h;
  }

  it('a member that becomes standby gets the whole list after the STANDBY broadcast, repeating it', () => {
    const h = privateWithRoles();
    const fx = h.join('cb', '@p', 'bob');
    expect(received(fx, 'cb')).toEqual([
      { cmd: 'STANDBY', peerId: 'bob' },
      { cmd: 'STANDBY', peerId: 'bob', admitted: ['alice', 'bob', 'carol'] },
    ]);
    expect(lists(fx, 'ca')).toEqual([]);
    // A successor gets it with the successors the broadcast named; the informed standby not again.
    const fx2 = h.join('cc', '@p', 'carol');
    expect(lists(fx2, 'cc')).toEqual([{ cmd: 'STANDBY', peerId: 'bob', successors: ['carol'], admitted: ['alice', 'bob', 'carol'] }]);
    expect(lists(fx2, 'cb')).toEqual([]);
    expect(lists(fx2, 'ca')).toEqual([]);
  });

  it('an INVITE sends the new IDs to the standby and successors, not to other members', () => {
    const h = privateWithRoles();
    h.join('cb', '@p', 'bob');
    const fx = h.frame('ca', { cmd: 'INVITE', clientIds: ['dave', 'bob'] });
    expect(noLogs(fx).filter((e) => e.kind === 'send')).toEqual([{ kind: 'send', conn: 'cb', command: { cmd: 'STANDBY', peerId: 'bob', admitted: ['dave'] } }]);
  });

  it('a successor moved up to standby already has it; a member back on a new connection is sent it again', () => {
    const h = privateWithRoles();
    h.join('cb', '@p', 'bob');
    h.join('cc', '@p', 'carol');
    const fx = h.frame('cb', { cmd: 'EXIT' });
    expect(received(fx, 'cc')).toEqual([{ cmd: 'STANDBY', peerId: 'carol' }]);
    h.closed('cb');
    expect(lists(h.join('cb2', '@p', 'bob'), 'cb2')).toEqual([{ cmd: 'STANDBY', peerId: 'carol', successors: ['bob'], admitted: ['alice', 'bob', 'carol'] }]);
  });

  it('splits a long list into frames whose admission field fits MAX_ADMITTED_FIELD_BYTES', () => {
    const h = harness();
    h.peers(peer('alice'), peer('bob', { canHost: true }));
    h.join('ca', '@p', 'alice');
    const many = Array.from({ length: 600 }, (_, i) => `${'x'.repeat(50)}${String(i).padStart(4, '0')}`);
    for (let i = 0; i < many.length; i += 60) h.frame('ca', { cmd: 'INVITE', clientIds: many.slice(i, i + 60) });
    h.frame('ca', { cmd: 'INVITE', clientIds: ['bob'] });
    const sent = lists(h.join('cb', '@p', 'bob'), 'cb');
    expect(sent.length).toBe(3);
    expect(sent.flatMap((c) => (c.cmd === 'STANDBY' ? (c.admitted ?? []) : []))).toEqual(['alice', ...many, 'bob']);
  });

  it('public channels send no list', () => {
    const h = harness();
    h.peers(peer('alice'), peer('bob', { canHost: true }));
    h.join('ca', '#p', 'alice');
    expect(received(h.join('cb', '#p', 'bob'), 'cb')).toEqual([{ cmd: 'STANDBY', peerId: 'bob' }]);
  });
});
