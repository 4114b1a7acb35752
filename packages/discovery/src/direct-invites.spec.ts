import { describe, expect, it } from 'vitest';
import { encodePdu } from '@ims/codec';
import { createDirectInvites, readDirectInvite } from './direct-invites.js';
import { EMPTY_LOBBY, type Lobby, type LobbyServer } from './lobby.js';
import type { Invitation } from './peer-events.js';

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const from = { address: '127.0.0.5', port: 40_123 };

/**
 * What the draft authors' Java server writes on its invitation connection, as the issue describes
 * it: its empty peer ID (no MAC address), SERVER_OPTION port 8000 (`1f 40`), then SERVER_INVITE of
 * `#Gruppe5` for `me`.
 */
const JAVA_INVITE = Uint8Array.from([0x00, 0x10, 0x1f, 0x40, 0x12, ...ascii('#Gruppe5'), 0x00, 0x01, ...ascii('me'), 0x00]);

const javaServer: LobbyServer = {
  id: '127.0.0.5:8000',
  endpoint: { address: '127.0.0.5', port: 8000 },
  channels: ['#Gruppe5'],
  isDedicatedServer: true,
  state: 'alive',
  lastSeen: 0,
};
const lobbyWith = (...servers: LobbyServer[]): Lobby => ({ ...EMPTY_LOBBY, servers });

describe('readDirectInvite (docs/protocol.md §3.8, the Java way)', () => {
  it('reads the Java server PDU: the connection address with its SERVER_OPTION port, named as our lobby names that server', () => {
    const r = readDirectInvite({ data: JAVA_INVITE, from }, lobbyWith(javaServer), { selfId: 'me', now: 7 });
    expect(r).toEqual({ ok: true, invitations: [{ serverId: '127.0.0.5:8000', channel: '#Gruppe5', endpoint: { address: '127.0.0.5', port: 8000 }, receivedAt: 7 }] });
  });

  it('names a server our lobby has not heard by its peer ID, else by its endpoint', () => {
    const empty = readDirectInvite({ data: JAVA_INVITE, from }, EMPTY_LOBBY, { selfId: 'me', now: 0 });
    expect(empty.ok && empty.invitations.map((i) => i.serverId)).toEqual(['127.0.0.5:8000']);
    const named = encodePdu({ peerId: 'srv', options: [{ type: 'SERVER_OPTION', port: 50_000 }, { type: 'SERVER_INVITE', channel: '#a', clientIds: ['x', 'me'] }] });
    const r = readDirectInvite({ data: named, from }, EMPTY_LOBBY, { selfId: 'me', now: 0 });
    expect(r.ok && r.invitations).toEqual([{ serverId: 'srv', channel: '#a', endpoint: { address: '127.0.0.5', port: 50_000 }, receivedAt: 0 }]);
  });

  it('takes the endpoint from the lobby when the PDU has no SERVER_OPTION, and drops it when the lobby has none either', () => {
    const bare = Uint8Array.from([0x00, 0x12, ...ascii('#Gruppe5'), 0x00, 0x01, ...ascii('me'), 0x00]);
    const r = readDirectInvite({ data: bare, from }, lobbyWith(javaServer), { selfId: 'me', now: 0 });
    expect(r.ok && r.invitations.map((i) => [i.serverId, i.endpoint])).toEqual([['127.0.0.5:8000', { address: '127.0.0.5', port: 8000 }]]);
    expect(readDirectInvite({ data: bare, from }, EMPTY_LOBBY, { selfId: 'me', now: 0 })).toEqual({ ok: false, reason: 'no-endpoint' });
  });

  it('ignores an invitation that does not name us (another peer on our machine), and garbage', () => {
    expect(readDirectInvite({ data: JAVA_INVITE, from }, lobbyWith(javaServer), { selfId: 'someone-else', now: 0 })).toEqual({ ok: false, reason: 'not-for-us' });
    expect(readDirectInvite({ data: Uint8Array.from(ascii('GET / HTTP/1.1\r\n')), from }, EMPTY_LOBBY, { selfId: 'me', now: 0 })).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('drops a u32 length prefix in front of the PDU (a sender reusing its TCP framing)', () => {
    const framed = Uint8Array.from([0, 0, 0, JAVA_INVITE.length, ...JAVA_INVITE]);
    const r = readDirectInvite({ data: framed, from }, lobbyWith(javaServer), { selfId: 'me', now: 0 });
    expect(r.ok && r.invitations.map((i) => i.channel)).toEqual(['#Gruppe5']);
  });
});

describe('createDirectInvites', () => {
  const inv = (channel: string, receivedAt: number): Invitation => ({ serverId: 's', channel, endpoint: { address: '127.0.0.5', port: 8000 }, receivedAt });

  it('reports an invitation repeated three times one interval apart once, and lists it until ttl after the last one', () => {
    const book = createDirectInvites({ ttlMs: 30_000 });
    expect(book.add([inv('#a', 0)])).toHaveLength(1);
    expect(book.add([inv('#a', 15_000)])).toEqual([]);
    expect(book.add([inv('#a', 30_000)])).toEqual([]);
    expect(book.current(60_000).map((i) => i.receivedAt)).toEqual([30_000]);
    expect(book.current(60_001)).toEqual([]);
    expect(book.add([inv('#a', 60_002)])).toHaveLength(1);
  });

  it('keeps at most maxInvitations, evicting the oldest', () => {
    const book = createDirectInvites({ ttlMs: 1_000, maxInvitations: 2 });
    book.add([inv('#a', 0), inv('#b', 1), inv('#c', 2)]);
    expect(book.current(3).map((i) => i.channel)).toEqual(['#b', '#c']);
  });
});
