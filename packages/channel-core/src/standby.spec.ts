import { describe, expect, it } from 'vitest';
import { pickStandby } from './standby.js';
import type { PeerInfo } from './types.js';

const P = (id: string, o: Partial<PeerInfo> = {}): PeerInfo => ({
  id, address: '10.0.0.1', canHost: true, dedicated: false, hostedChannels: 0, isClient: true, alive: true, ...o,
});
const peers = (...l: PeerInfo[]) => new Map(l.map((p) => [p.id, p]));
const m = (id: string, joinedAt: number) => ({ id, joinedAt });

describe('pickStandby', () => {
  it.each([
    ['no members', [], peers(), 'H'],
    ['only non-hosting members', [m('a', 1)], peers(P('a', { canHost: false })), 'H'],
    ['a member unknown to discovery', [m('a', 1)], peers(), 'H'],
    ['a member not alive', [m('a', 1)], peers(P('a', { alive: false })), 'H'],
    ['the host itself as member', [m('H', 1)], peers(P('H')), 'H'],
    ['dedicated beats fewer channels', [m('a', 1), m('b', 2)], peers(P('a'), P('b', { dedicated: true, hostedChannels: 9 })), 'b'],
    ['fewer channels beats seniority', [m('a', 1), m('b', 2)], peers(P('a', { hostedChannels: 2 }), P('b', { hostedChannels: 1 })), 'b'],
    ['seniority beats id', [m('b', 1), m('a', 2)], peers(P('a'), P('b')), 'b'],
    ['smallest id breaks ties', [m('b', 1), m('a', 1)], peers(P('a'), P('b')), 'a'],
    ['a suspected member keeps qualifying', [m('a', 1)], peers(P('a', { suspected: true })), 'a'],
    ['a new pick prefers a member not suspected', [m('a', 1), m('b', 2)], peers(P('a', { dedicated: true, suspected: true }), P('b')), 'b'],
  ])('%s', (_name, members, table, expected) => {
    expect(pickStandby(members, table, 'H')).toBe(expected);
  });
});
