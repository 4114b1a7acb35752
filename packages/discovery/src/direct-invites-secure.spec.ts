import { describe, expect, it } from 'vitest';
import { encodePdu, type PduOption } from '@ims/codec';
import { generateIdentity, generateNetworkKey, peerPolicy, secureMode, testNetwork, type SecureMode } from '@ims/secure';
import { readDirectInvite } from './direct-invites.js';
import { EMPTY_LOBBY, type Lobby, type LobbyServer } from './lobby.js';

// Invitations by TCP in secure mode (docs/protocol.md §3.4, §3.8): sealed like a multicast PDU, from
// a host our lobby lists, naming itself.
const from = { address: '127.0.0.5', port: 40_123 };
const inviteFor = (selfId: string): PduOption[] => [
  { type: 'SERVER_OPTION', port: 50_000 },
  { type: 'SERVER_INVITE', channel: '@team', clientIds: [selfId] },
];
const serverOf = (id: string, state: LobbyServer['state'] = 'alive'): LobbyServer => ({ id, endpoint: { address: '10.0.0.7', port: 50_000 }, channels: [], isDedicatedServer: true, state, lastSeen: 0 });
const lobbyWith = (...servers: LobbyServer[]): Lobby => ({ ...EMPTY_LOBBY, servers });

/** A host, an invitee (its own instance for the inbox, as the option says) and a third member. */
function network(): { host: SecureMode; inbox: SecureMode; other: SecureMode; me: string } {
  const { key, modes } = testNetwork(3);
  const [host, invitee, other] = modes as [SecureMode, SecureMode, SecureMode];
  const inbox = secureMode({ identity: invitee.identity, keys: [key] });
  return { host, inbox, other, me: invitee.identity.peerId };
}

describe('readDirectInvite in secure mode', () => {
  it("reads a sealed invitation of a host our lobby lists, named by its peer ID, JOINed at the connection's address", () => {
    const { host, inbox, me } = network();
    const data = host.sealer.seal(encodePdu({ peerId: host.identity.peerId, options: inviteFor(me) }, { privateInvites: true }));
    const r = readDirectInvite({ data, from }, lobbyWith(serverOf('someone-else'), serverOf(host.identity.peerId)), { selfId: me, now: 3, secure: inbox });
    expect(r).toEqual({ ok: true, invitations: [{ serverId: host.identity.peerId, channel: '@team', endpoint: { address: from.address, port: 50_000 }, receivedAt: 3 }] });
    // The same bytes again: a replay.
    expect(readDirectInvite({ data, from }, lobbyWith(serverOf(host.identity.peerId)), { selfId: me, now: 4, secure: inbox })).toEqual({ ok: false, reason: 'replayed', detail: 'replayed' });
  });

  it('refuses unsealed bytes, a seal under another key, a PDU naming another peer, and a signer the lobby does not list as a live host', () => {
    const { host, inbox, other, me } = network();
    const hostId = host.identity.peerId;
    const lobby = lobbyWith(serverOf(hostId), serverOf(other.identity.peerId, 'disconnected'));
    const read = (data: Uint8Array) => readDirectInvite({ data, from }, lobby, { selfId: me, now: 0, secure: inbox });
    const pdu = (peerId: string) => encodePdu({ peerId, options: inviteFor(me) }, { privateInvites: true });
    const stranger = testNetwork(1).modes[0] as SecureMode;
    expect(read(pdu(hostId))).toEqual({ ok: false, reason: 'unauthenticated', detail: 'not-sealed' });
    expect(read(stranger.sealer.seal(pdu(hostId)))).toEqual({ ok: false, reason: 'unauthenticated', detail: 'unknown-key' });
    expect(read(other.sealer.seal(pdu(hostId)))).toEqual({ ok: false, reason: 'identity-mismatch', detail: other.identity.peerId });
    expect(read(other.sealer.seal(pdu(other.identity.peerId)))).toEqual({ ok: false, reason: 'unknown-sender', detail: other.identity.peerId });
    expect(read(host.sealer.seal(pdu(hostId))).ok).toBe(true);
  });

  it('refuses a revoked host as not-admitted; a plain reader drops a sealed invitation as malformed', () => {
    const key = generateNetworkKey();
    const host = secureMode({ identity: generateIdentity(), keys: [key] });
    const inbox = secureMode({ identity: generateIdentity(), keys: [key], policy: peerPolicy({ revoked: [host.identity.peerId] }) });
    const data = host.sealer.seal(encodePdu({ peerId: host.identity.peerId, options: inviteFor('me') }, { privateInvites: true }));
    expect(readDirectInvite({ data, from }, lobbyWith(serverOf(host.identity.peerId)), { selfId: 'me', now: 0, secure: inbox })).toEqual({ ok: false, reason: 'not-admitted', detail: 'not-admitted' });
    expect(readDirectInvite({ data, from }, lobbyWith(serverOf(host.identity.peerId)), { selfId: 'me', now: 0 })).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it("needs a SecureMode of its own: sharing discovery's, an invitation TCP brings after a later announcement is a replay", () => {
    const { key, modes } = testNetwork(2);
    const [host, invitee] = modes as [SecureMode, SecureMode];
    const hostId = host.identity.peerId;
    const lobby = lobbyWith(serverOf(hostId));
    const invitation = host.sealer.seal(encodePdu({ peerId: hostId, options: inviteFor(invitee.identity.peerId) }, { privateInvites: true }));
    const announcement = host.sealer.seal(encodePdu({ peerId: hostId, options: [{ type: 'SERVER_OPTION', port: 50_000 }] }));
    // discovery opens the later announcement first (UDP was quicker than TCP)...
    expect(invitee.sealer.open(announcement).ok).toBe(true);
    const own = secureMode({ identity: invitee.identity, keys: [key] });
    const read = (secure: SecureMode) => readDirectInvite({ data: invitation, from }, lobby, { selfId: invitee.identity.peerId, now: 0, secure });
    expect(read(invitee)).toMatchObject({ ok: false, reason: 'replayed' });
    expect(read(own).ok).toBe(true);
  });
});
