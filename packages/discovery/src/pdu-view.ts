/**
 * Reads a decoded PeerPdu into the facts the peer table keeps (PROTOCOL.md §3). Private ('@')
 * channel names from the network are ignored: PROTOCOL.md §1 says nobody announces them.
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

/** Collect a PDU's options; a repeated option adds to (lists) or replaces (scalars) the earlier one. */
export function viewPdu(pdu: PeerPdu): PduView {
  let nick: string | undefined;
  let memberships: ServerMembership[] | undefined;
  let serverPort: number | undefined;
  let channels: string[] | undefined;
  const invites: PduInvite[] = [];
  for (const option of pdu.options) {
    switch (option.type) {
      case 'CLIENT_NICK':
        nick = option.nick;
        break;
      case 'CLIENT_MEMBERSHIP':
        memberships = (memberships ?? []).concat(
          option.servers.map((s) => ({ serverId: s.serverId, channels: s.channels.filter((c) => isPublicChannel(c)) })),
        );
        break;
      case 'SERVER_OPTION':
        serverPort = option.port;
        break;
      case 'SERVER_CHANNELS':
        channels = (channels ?? []).concat(option.channels.filter((c) => isPublicChannel(c)));
        break;
      case 'SERVER_INVITE':
        invites.push({ channel: option.channel, clientIds: option.clientIds });
        break;
    }
  }
  return { nick, memberships, serverPort, channels, invites };
}
