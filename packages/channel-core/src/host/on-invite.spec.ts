import { describe, expect, it } from 'vitest';
import type { HostEffect } from '../types.js';
import { errorCodes, harness, noLogs, peer } from './host-harness.js';

const invites = (effects: readonly HostEffect[]) => effects.filter((e) => e.kind === 'invite');
const ids = (n: number, prefix = 'p') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('host: INVITE amplification is bounded (docs/protocol.md §9)', () => {
  it('refuses an INVITE naming 10,000 IDs whole, public or private: nobody invited, nothing announced', () => {
    const h = harness();
    h.peers(...ids(10_000).map((id) => peer(id)));
    h.join('c1', '#a', 'alice');
    const pub = h.frame('c1', { cmd: 'INVITE', clientIds: ids(10_000) });
    expect(errorCodes(pub)).toEqual(['TOO_MANY_INVITEES']);
    expect(invites(pub)).toEqual([]);
    h.join('c2', '@p', 'bob');
    expect(errorCodes(h.frame('c2', { cmd: 'INVITE', clientIds: ids(10_000) }))).toEqual(['TOO_MANY_INVITEES']);
    expect(errorCodes(h.join('c3', '@p', 'p0'))).toEqual(['NOT_INVITED']);
  });

  it('counts distinct IDs against maxInviteIds: the limit itself passes', () => {
    const h = harness({ maxInviteIds: 3 });
    h.peers(...ids(4).map((id) => peer(id)));
    h.join('c1', '#a', 'alice');
    expect(errorCodes(h.frame('c1', { cmd: 'INVITE', clientIds: ['p0', 'p1', 'p2', 'p0'] }))).toEqual([]);
    h.tick(1_000);
    expect(errorCodes(h.frame('c1', { cmd: 'INVITE', clientIds: ids(4) }))).toEqual(['TOO_MANY_INVITEES']);
  });

  it('announces only peers discovery knows on a public channel; private channels admit any ID', () => {
    const h = harness();
    h.peers(peer('bob'));
    h.join('c1', '#a', 'alice');
    const out = h.frame('c1', { cmd: 'INVITE', clientIds: ['ghost', 'bob', 'nobody'] });
    expect(invites(out)).toEqual([{ kind: 'invite', channel: '#a', clientIds: ['bob'] }]);
    expect(out).toContainEqual(expect.objectContaining({ kind: 'log', event: 'invite-unknown', fields: expect.objectContaining({ code: 'INVITE_UNKNOWN_IDS', ignored: 2 }) }));
    // Only unknown IDs: no announcement, no ERROR, no token spent.
    expect(noLogs(h.frame('c1', { cmd: 'INVITE', clientIds: ['ghost'] }))).toEqual([]);
    h.join('c2', '@p', 'carol');
    expect(invites(h.frame('c2', { cmd: 'INVITE', clientIds: ['ghost'] }))).toEqual([{ kind: 'invite', channel: '@p', clientIds: ['ghost'] }]);
    expect(errorCodes(h.join('c3', '@p', 'ghost'))).toEqual([]);
  });

  it('announces at most invitesPerSecond INVITEs per connection; refusals get INVITE_RATE, one warn line per episode', () => {
    const h = harness({ invitesPerSecond: 2 });
    h.peers(peer('bob'));
    h.join('c1', '#a', 'alice');
    h.join('c2', '#a', 'carol');
    const burst = Array.from({ length: 10 }, () => h.frame('c1', { cmd: 'INVITE', clientIds: ['bob'] }));
    expect(burst.flatMap(invites)).toHaveLength(2);
    expect(burst.flatMap(errorCodes)).toEqual(Array(8).fill('INVITE_RATE'));
    const warns = burst.flat().filter((e) => e.kind === 'log' && e.event === 'refused' && e.level === 'warn');
    expect(warns).toHaveLength(1);
    // Another connection has its own bucket.
    expect(invites(h.frame('c2', { cmd: 'INVITE', clientIds: ['bob'] }))).toHaveLength(1);
    h.tick(500);
    expect(invites(h.frame('c1', { cmd: 'INVITE', clientIds: ['bob'] }))).toHaveLength(1);
    expect(errorCodes(h.frame('c1', { cmd: 'INVITE', clientIds: ['bob'] }))).toEqual(['INVITE_RATE']);
    h.tick(10_000);
    // The bucket holds no more than one second's worth.
    const later = Array.from({ length: 3 }, () => h.frame('c1', { cmd: 'INVITE', clientIds: ['bob'] }));
    expect(later.flatMap(invites)).toHaveLength(2);
    expect(later.flat().filter((e) => e.kind === 'log' && e.event === 'refused' && e.level === 'warn')).toHaveLength(1);
  });
});

describe('host: invitations announced by the whole host (docs/protocol.md §9)', () => {
  it('caps all connections together at hostInvitesPerSecond: many connections do not multiply the per-connection budget', () => {
    const h = harness({ hostInvitesPerSecond: 20 });
    h.peers(peer('bob'));
    const codes: string[] = [];
    let announced = 0;
    for (let i = 0; i < 30; i++) {
      h.join(`c${i}`, `#r${i}`, `m${i}`);
      const fx = h.frame(`c${i}`, { cmd: 'INVITE', clientIds: ['bob'] });
      codes.push(...errorCodes(fx));
      announced += invites(fx).length;
    }
    // The 30 JOINs moved the clock 30 ms: 20 tokens plus 0.6 of a refill.
    expect(announced).toBe(20);
    expect(codes).toEqual(Array(10).fill('INVITE_RATE'));
    h.tick(1_000);
    expect(invites(h.frame('c0', { cmd: 'INVITE', clientIds: ['bob'] }))).toHaveLength(1);
  });
});
