/**
 * Where a join goes, read from a discovery lobby snapshot. Pure.
 */
import type { MemberTarget } from '@ims/channel-core';
import type { Lobby } from '@ims/discovery';

/** The live host of `channel`: smallest peer ID among announcers (docs/architecture.md partition rule), else an invitation. */
export function hostOf(l: Lobby, channel: string): MemberTarget | undefined {
  // Lobby lists are sorted by peer ID, so the first match is the smallest.
  const s = l.servers.find((x) => x.state === 'alive' && x.channels.includes(channel));
  if (s) return { peerId: s.id, ...s.endpoint };
  const inv = l.invitations.find((i) => i.channel === channel);
  return inv ? { peerId: inv.serverId, ...inv.endpoint } : undefined;
}

/**
 * A server by peer ID, by its announced name (docs/protocol.md §3.7), or by the nick of a peer that also hosts; else the server of an invitation
 * by that ID (one delivered by TCP may come from a server our lobby has not heard, docs/protocol.md §3.8).
 */
export function serverNamed(l: Lobby, name: string): MemberTarget | undefined {
  const s = l.servers.find((x) => x.id === name) ?? l.servers.find((x) => x.name === name) ?? l.servers.find((x) => l.clients.some((c) => c.id === x.id && c.nick === name));
  if (s) return s.state !== 'disconnected' ? { peerId: s.id, ...s.endpoint } : undefined;
  const inv = l.invitations.find((i) => i.serverId === name);
  return inv ? { peerId: inv.serverId, ...inv.endpoint } : undefined;
}

/**
 * Where a channel nobody announces is created (issue 14, the draft's model: servers host, clients
 * join): the smallest-ID alive dedicated server (SERVER_OPTION without CLIENT_NICK, docs/protocol.md
 * §3.7), else `undefined` (the caller's own embedded host).
 */
export function dedicatedServer(l: Lobby): MemberTarget | undefined {
  const s = l.servers.find((x) => x.state === 'alive' && x.isDedicatedServer);
  return s ? { peerId: s.id, ...s.endpoint } : undefined;
}
