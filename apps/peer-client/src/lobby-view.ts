/**
 * Renders a lobby snapshot for people (`/list`, `lobby`) and for scripts (`lobby --json`). Pure.
 */
import { compareIds } from '@ims/codec';
import type { LobbyPeer, LobbySnapshot } from './peer-node.js';

/** `lobby --json` output: one object, stable field names (documented in the README). */
export interface LobbyJson {
  readonly event: 'lobby';
  readonly ts: number;
  readonly self: string;
  readonly peers: readonly {
    readonly id: string;
    readonly nick: string | null;
    /** A dedicated server's announced name (docs/protocol.md §3.7), else null. */
    readonly name: string | null;
    readonly address: string;
    readonly state: LobbyPeer['state'];
    readonly port: number | null;
    readonly channels: readonly string[];
  }[];
  readonly invitations: LobbySnapshot['invitations'];
}

/** The snapshot as the `lobby --json` object, peers sorted by ID so output is deterministic. */
export function lobbyToJson(lobby: LobbySnapshot, ts: number): LobbyJson {
  return {
    event: 'lobby',
    ts,
    self: lobby.selfId,
    peers: sortPeers(lobby.peers).map((p) => ({
      id: p.id,
      nick: p.nick ?? null,
      name: p.name ?? null,
      address: p.address,
      state: p.state,
      port: p.serverPort ?? null,
      channels: [...p.channels].sort(),
    })),
    invitations: lobby.invitations,
  };
}

/** Human-readable lobby: who is online, servers with their channels, invitations for me. */
export function renderLobby(lobby: LobbySnapshot): string {
  const peers = sortPeers(lobby.peers);
  const people = peers.filter((p) => p.nick !== undefined);
  const servers = peers.filter((p) => p.serverPort !== undefined);
  const lines: string[] = [];
  lines.push(`Online (${people.length}):${people.length === 0 ? ' nobody else yet' : ''}`);
  for (const p of people) lines.push(`  ${p.nick} (${p.id})${stateSuffix(p)}`);
  lines.push(`Servers (${servers.length}):${servers.length === 0 ? ' none seen' : ''}`);
  for (const s of servers) {
    const label = s.nick ?? s.name;
    const who = label === undefined ? s.id : `${label} (${s.id})`;
    const chans = s.channels.length === 0 ? 'no public channels' : [...s.channels].sort().join(' ');
    lines.push(`  ${who} at ${s.address}:${s.serverPort}${stateSuffix(s)}: ${chans}`);
  }
  if (lobby.invitations.length > 0) {
    lines.push(`Invitations (${lobby.invitations.length}):`);
    for (const inv of lobby.invitations) lines.push(`  ${inv.channel} on ${nameOf(lobby, inv.serverId)}  (/join ${inv.channel} ${inv.serverId})`);
  }
  return lines.join('\n');
}

/** The nick a peer announces (a server's name), else its ID (author IDs are resolved through discovery). */
export function nameOf(lobby: LobbySnapshot, id: string): string {
  const p = lobby.peers.find((x) => x.id === id);
  return p?.nick ?? p?.name ?? id;
}

/**
 * Resolves what a user typed (a nick or a peer ID) to a peer ID. An exact ID wins (an inviting
 * server's too: one that invited by TCP may not be a lobby peer, docs/protocol.md §3.8); a nick
 * must be unique, else the user has to type the ID.
 */
export function resolvePeer(lobby: LobbySnapshot, who: string): { ok: true; id: string } | { ok: false; message: string } {
  if (who === lobby.selfId || lobby.peers.some((p) => p.id === who) || lobby.invitations.some((i) => i.serverId === who)) return { ok: true, id: who };
  const byNick = lobby.peers.filter((p) => p.nick === who || p.name === who);
  if (byNick.length === 1 && byNick[0]) return { ok: true, id: byNick[0].id };
  if (byNick.length > 1) return { ok: false, message: `several peers are called ${who}: use one of ${byNick.map((p) => p.id).join(', ')}` };
  return { ok: false, message: `no peer called ${who} in the lobby (try /list)` };
}

function sortPeers(peers: readonly LobbyPeer[]): LobbyPeer[] {
  return [...peers].sort((a, b) => compareIds(a.id, b.id));
}

function stateSuffix(p: LobbyPeer): string {
  return p.state === 'alive' ? '' : ` [${p.state}]`;
}
