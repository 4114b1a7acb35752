/**
 * Reading and keeping invitations delivered by TCP to our discovery port (docs/protocol.md §3.8,
 * invite-listener.ts): one connection's bytes are one PeerPDU; its SERVER_INVITEs naming us become
 * lobby invitations, kept and expired like the multicast ones. Pure apart from the injected clock.
 * In secure mode the PDU is sealed like a multicast one (docs/protocol.md §3.4): it is opened first,
 * must name its signer, and the signer must be a server our lobby knows; unsealed bytes are refused.
 */
import { DEFAULT_MAX_DATAGRAM_BYTES, decodePdu, type PeerPdu } from '@ims/codec';
import type { SecureMode } from '@ims/secure';
import type { Datagram } from './datagram-port.js';
import { sealCauseOf } from './open-sealed.js';
import type { Lobby, LobbyServer } from './lobby.js';
import type { Endpoint, Invitation } from './peer-events.js';

/**
 * Why a delivered PDU gave no invitation. Secure mode only: `unauthenticated` (not sealed, or not
 * under an accepted key, or forged), `replayed`, `not-admitted` (policy), `identity-mismatch` (its
 * peer ID is not its signer's), `unknown-sender` (the signer is no server our lobby lists).
 */
export type DirectInviteDrop = 'malformed' | 'not-for-us' | 'no-endpoint' | 'unauthenticated' | 'replayed' | 'not-admitted' | 'identity-mismatch' | 'unknown-sender';

/** What one delivered PDU gave: the invitations naming us (new or repeated), or why none. */
export type DirectInviteResult = { readonly ok: true; readonly invitations: readonly Invitation[] } | { readonly ok: false; readonly reason: DirectInviteDrop; readonly detail?: string };

/** Options of {@link readDirectInvite}. */
export interface ReadDirectInviteOptions {
  /** Our peer ID: only SERVER_INVITEs naming it are ours. */
  readonly selfId: string;
  /** Largest PDU read. @default 1400 */
  readonly maxDatagramBytes?: number;
  /** Time the invitations are stamped with (`receivedAt`), in ms. */
  readonly now: number;
  /**
   * Secure mode: the PDU is opened with `secure.sealer`. Give it a SecureMode of its own (same
   * identity, keys and policy), not the one discovery opens multicast with: a host seals its
   * announcements and its invitations with one counter, and TCP may deliver an invitation after an
   * announcement sealed later, which one shared replay state would refuse. @default plain mode
   */
  readonly secure?: SecureMode;
}

/** A failure to open, as a drop reason. */
const SEAL_DROPS = { unauthenticated: 'unauthenticated', replayed: 'replayed', notAdmitted: 'not-admitted' } as const;

/**
 * No PeerPDU starts with two NULs (an empty peer ID is followed by an option ID, and 0x00 is none),
 * so `00 00` then a u32 big-endian count of the remaining bytes is a length prefix in front of a
 * PDU, as a sender reusing its TCP framing would write: it is dropped.
 */
function withoutLengthPrefix(data: Uint8Array): Uint8Array {
  if (data.length < 4 || data[0] !== 0 || data[1] !== 0) return data;
  const length = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
  return length === data.length - 4 ? data.subarray(4) : data;
}

/**
 * The server that sent the PDU, from our lobby: the one at the connection's address with the
 * PDU's peer ID, else with the PDU's SERVER_OPTION port, else the only one at that address.
 */
function serverAt(lobby: Lobby, address: string, pdu: PeerPdu, port: number | undefined): LobbyServer | undefined {
  const here = lobby.servers.filter((s) => s.endpoint.address === address && s.state !== 'disconnected');
  return (
    here.find((s) => pdu.peerId !== '' && s.id === pdu.peerId) ??
    here.find((s) => port !== undefined && s.endpoint.port === port) ??
    (here.length === 1 ? here[0] : undefined)
  );
}

/**
 * Reads one delivered PDU. Where to JOIN is the connection's source address with the PDU's
 * SERVER_OPTION port, else the endpoint our lobby knows for the server at that address (a sender
 * may leave SERVER_OPTION out of a PDU it addresses to one peer); the server's name is the one our
 * lobby knows, else the PDU's peer ID, else `address:port` (an empty peer ID, docs/protocol.md §7).
 * In secure mode the server is the signer, whatever its address.
 */
export function readDirectInvite(d: Datagram, lobby: Lobby, options: ReadDirectInviteOptions): DirectInviteResult {
  const opened = options.secure?.sealer.open(d.data);
  if (opened?.ok === false) return { ok: false, reason: SEAL_DROPS[sealCauseOf(opened.cause)], detail: opened.cause };
  const bytes = opened === undefined ? withoutLengthPrefix(d.data) : opened.pdu;
  const decoded = decodePdu(bytes, { maxDatagramBytes: options.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES, emptyPeerId: true, privateInvites: true });
  if (!decoded.ok) return { ok: false, reason: 'malformed', detail: decoded.error.code };
  const pdu = decoded.value;
  let signer: LobbyServer | undefined;
  if (opened !== undefined) {
    if (pdu.peerId !== opened.peerId) return { ok: false, reason: 'identity-mismatch', detail: opened.peerId };
    // Any member holds the key: only a host we already see announcing may invite us.
    signer = lobby.servers.find((s) => s.id === opened.peerId && s.state !== 'disconnected');
    if (signer === undefined) return { ok: false, reason: 'unknown-sender', detail: opened.peerId };
  }
  const channels = new Set<string>();
  let port: number | undefined;
  for (const o of pdu.options) {
    if (o.type === 'SERVER_INVITE' && o.clientIds.includes(options.selfId)) channels.add(o.channel);
    if (o.type === 'SERVER_OPTION') port = o.port;
  }
  if (channels.size === 0) return { ok: false, reason: 'not-for-us' };
  const known = signer ?? serverAt(lobby, d.from.address, pdu, port);
  const endpoint: Endpoint | undefined = port !== undefined ? { address: d.from.address, port } : known?.endpoint;
  if (endpoint === undefined) return { ok: false, reason: 'no-endpoint' };
  const serverId = known?.id ?? (pdu.peerId !== '' ? pdu.peerId : `${endpoint.address}:${endpoint.port}`);
  return { ok: true, invitations: [...channels].map((channel) => ({ serverId, channel, endpoint, receivedAt: options.now })) };
}

/** Options of {@link createDirectInvites}. */
export interface DirectInvitesOptions {
  /** ms an invitation stays listed after it was last received (as multicast ones: 30 intervals). */
  readonly ttlMs: number;
  /** Invitations kept; a new one beyond evicts the oldest. @default 256 */
  readonly maxInvitations?: number;
}

/** The invitations delivered by TCP, one per (server, channel), each listed until `ttlMs` after it was last received. */
export interface DirectInvites {
  /** Keeps these invitations; returns the ones not listed before (to report once, however often repeated). */
  add(invitations: readonly Invitation[]): Invitation[];
  /** The invitations still listed at `now`, oldest first. */
  current(now: number): Invitation[];
}

/** A new, empty set of delivered invitations. */
export function createDirectInvites(options: DirectInvitesOptions): DirectInvites {
  const max = options.maxInvitations ?? 256;
  const kept = new Map<string, Invitation>();
  const expire = (now: number): void => {
    for (const [key, inv] of kept) if (now - inv.receivedAt > options.ttlMs) kept.delete(key);
  };
  return {
    add(invitations) {
      const fresh: Invitation[] = [];
      for (const inv of invitations) {
        expire(inv.receivedAt);
        const key = `${inv.serverId}\u0000${inv.channel}`;
        if (!kept.delete(key)) fresh.push(inv);
        kept.set(key, inv);
        const oldest = kept.size > max ? kept.keys().next() : undefined;
        if (oldest?.done === false) kept.delete(oldest.value);
      }
      return fresh;
    },
    current(now) {
      expire(now);
      return [...kept.values()];
    },
  };
}
