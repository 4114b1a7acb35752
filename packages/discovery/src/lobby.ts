/**
 * The lobby: an immutable snapshot of the peer table for user interfaces and hosts.
 */
import { compareIds, type ServerMembership } from '@ims/codec';
import type { Endpoint, Invitation, Liveness, PeerInfo } from './peer-events.js';
import { toPeerInfo, type PeerTable } from './peer-table.js';

/** A client in the lobby: a peer that announces CLIENT_NICK. */
export interface LobbyClient {
  readonly id: string;
  readonly nick: string;
  readonly address: string;
  readonly memberships: readonly ServerMembership[];
  readonly state: Liveness;
  readonly lastSeen: number;
}

/** A server in the lobby: a peer that announces SERVER_OPTION. */
export interface LobbyServer {
  readonly id: string;
  readonly endpoint: Endpoint;
  /** Public channels it hosts, sorted. */
  readonly channels: readonly string[];
  readonly isDedicatedServer: boolean;
  /** A dedicated server's announced name (docs/protocol.md §3.7), if any. */
  readonly name?: string | undefined;
  readonly state: Liveness;
  readonly lastSeen: number;
}

/** One snapshot of everything discovered. Lists are sorted by peer ID. */
export interface Lobby {
  /** Every tracked peer. */
  readonly peers: readonly PeerInfo[];
  readonly clients: readonly LobbyClient[];
  readonly servers: readonly LobbyServer[];
  /** Invitations addressed to the local peer, oldest first. */
  readonly invitations: readonly Invitation[];
}

/** The lobby with nothing discovered yet. */
export const EMPTY_LOBBY: Lobby = { peers: [], clients: [], servers: [], invitations: [] };

/** Build a snapshot of `table`. O(peers + channels). */
export function lobbyOf(table: PeerTable): Lobby {
  const peers = [...table.peers.values()].map(toPeerInfo).sort((a, b) => compareIds(a.id, b.id));
  const clients: LobbyClient[] = [];
  const servers: LobbyServer[] = [];
  for (const p of peers) {
    if (p.nick !== undefined) {
      clients.push({ id: p.id, nick: p.nick, address: p.address, memberships: p.memberships, state: p.state, lastSeen: p.lastSeen });
    }
    if (p.server !== undefined) {
      servers.push({ id: p.id, endpoint: p.server, channels: p.channels, isDedicatedServer: p.isDedicatedServer, name: p.name, state: p.state, lastSeen: p.lastSeen });
    }
  }
  return { peers, clients, servers, invitations: [...table.invitations.values()].sort((a, b) => a.receivedAt - b.receivedAt) };
}
