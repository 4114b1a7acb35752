/**
 * Reads a decoded PeerPdu into the facts the peer table keeps (docs/protocol.md §3). Private ('@')
 * channel names from the network are ignored: docs/protocol.md §1 says nobody announces them.
 */
import type { PeerPdu, ServerMembership } from '@ims/codec';
import { isPublicChannel } from '@ims/codec';

/** One SERVER_INVITE option. */
export interface PduInvite {
  readonly channel: string;
  readonly clientIds: readonly string[];
}

/** The facts of one PDU. `undefined` means the option was absent. */
export interface PduView {
  readonly nick: string | undefined;
  readonly memberships: readonly ServerMembership[] | undefined;
  readonly serverPort: number | undefined;
  readonly channels: readonly string[] | undefined;
  readonly invites: readonly PduInvite[];
}

/** Public names only; the same array when all are public (the usual case: no copy). */
function publicNames(list: readonly string[]): readonly string[] {
  for (const name of list) if (!isPublicChannel(name)) return list.filter((c) => isPublicChannel(c));
  return list;
}

function publicMemberships(servers: readonly ServerMembership[]): readonly ServerMembership[] {
  let out: ServerMembership[] | undefined;
  servers.forEach((s, i) => {
    const channels = publicNames(s.channels);
    if (channels !== s.channels) out ??= servers.slice(0, i);
    out?.push(channels === s.channels ? s : { serverId: s.serverId, channels });
  });
  return out ?? servers;
}

/** Collect a PDU's options; a repeated option adds to (lists) or replaces (scalars) the earlier one. */
export function viewPdu(pdu: PeerPdu): PduView {
  let nick: string | undefined;
  let memberships: readonly ServerMembership[] | undefined;
  let serverPort: number | undefined;
  let channels: readonly string[] | undefined;
  let invites: PduInvite[] | undefined;
  for (const option of pdu.options) {
    switch (option.type) {
      case 'CLIENT_NICK':
        nick = option.nick;
        break;
      case 'CLIENT_MEMBERSHIP': {
        const list = publicMemberships(option.servers);
        memberships = memberships === undefined ? list : [...memberships, ...list];
        break;
      }
      case 'SERVER_OPTION':
        serverPort = option.port;
        break;
      case 'SERVER_CHANNELS': {
        const list = publicNames(option.channels);
        channels = channels === undefined ? list : [...channels, ...list];
        break;
      }
      case 'SERVER_INVITE':
        (invites ??= []).push({ channel: option.channel, clientIds: option.clientIds });
        break;
    }
  }
  return { nick, memberships, serverPort, channels, invites: invites ?? NO_INVITES };
}

const NO_INVITES: readonly PduInvite[] = [];
