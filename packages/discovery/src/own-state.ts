/**
 * The local peer's announced state as a pure reducer, and the PeerPdu built from it. Private ('@')
 * channels are filtered here, before the codec, whatever a caller passes (docs/protocol.md §1).
 */
import type { PduOption, PeerPdu, ServerMembership } from '@ims/codec';
import { MAX_LIST_COUNT, isPublicChannel } from '@ims/codec';

/** What the local peer hosts: its TCP port and the channels it announces. */
export interface OwnServer {
  readonly port: number;
  readonly channels: readonly string[];
}

/** An invitation still to be announced `remaining` more times. */
export interface PendingInvite {
  readonly channel: string;
  readonly clientIds: readonly string[];
  readonly remaining: number;
}

/** Everything the local peer announces. */
export interface OwnState {
  readonly nick: string | undefined;
  /** A dedicated server's name, announced as CLIENT_NICK while it hosts (docs/protocol.md §3.7). */
  readonly serverName?: string | undefined;
  readonly memberships: readonly ServerMembership[];
  readonly server: OwnServer | undefined;
  readonly invites: readonly PendingInvite[];
}

/** Inputs of `reduceOwn`; `announced` marks one announcement as sent (invitations count down). */
export type OwnInput =
  | { readonly kind: 'nick'; readonly nick: string | undefined }
  | { readonly kind: 'memberships'; readonly memberships: readonly ServerMembership[] }
  | { readonly kind: 'server'; readonly server: OwnServer | undefined }
  | { readonly kind: 'invite'; readonly channel: string; readonly clientIds: readonly string[]; readonly sends: number }
  | { readonly kind: 'announced' };

/** The state before any input. */
export const EMPTY_OWN_STATE: OwnState = { nick: undefined, memberships: [], server: undefined, invites: [] };

/** Keep public channel names only; `filtered` counts the others. */
export function publicOnly(channels: readonly string[]): { channels: string[]; filtered: number } {
  const kept = channels.filter((c) => isPublicChannel(c));
  return { channels: [...new Set(kept)], filtered: channels.length - kept.length };
}

/** Apply one input to the own state. Private channels never enter the state. */
export function reduceOwn(state: OwnState, input: OwnInput): OwnState {
  switch (input.kind) {
    case 'nick':
      return { ...state, nick: input.nick };
    case 'memberships':
      return {
        ...state,
        memberships: input.memberships
          .map((m) => ({ serverId: m.serverId, channels: publicOnly(m.channels).channels }))
          // A server entry left with no public channel would still reveal a private membership.
          .filter((m) => m.channels.length > 0),
      };
    case 'server':
      return {
        ...state,
        server: input.server === undefined ? undefined : { port: input.server.port, channels: publicOnly(input.server.channels).channels },
      };
    case 'invite':
      if (!isPublicChannel(input.channel) || input.clientIds.length === 0) return state;
      return { ...state, invites: [...state.invites, { channel: input.channel, clientIds: [...input.clientIds], remaining: input.sends }] };
    case 'announced':
      return {
        ...state,
        invites: state.invites.map((i) => ({ ...i, remaining: i.remaining - 1 })).filter((i) => i.remaining > 0),
      };
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The PeerPdu announcing `state` (docs/protocol.md §3). Lists may exceed one datagram or 255 entries:
 * the caller splits the result with the codec. Names are filtered again here so that no path can
 * put a private channel on the wire.
 */
export function ownPdu(peerId: string, state: OwnState): PeerPdu {
  const options: PduOption[] = [];
  if (state.nick !== undefined) options.push({ type: 'CLIENT_NICK', nick: state.nick });
  // A named dedicated server: its name as CLIENT_NICK, and never CLIENT_MEMBERSHIP, which tells it
  // from a client; only while it hosts, so that its stop is the empty PDU (§3.7).
  else if (state.serverName !== undefined && state.server !== undefined) options.push({ type: 'CLIENT_NICK', nick: state.serverName });
  const memberships = state.memberships
    .map((m) => ({ serverId: m.serverId, channels: publicOnly(m.channels).channels }))
    .filter((m) => m.channels.length > 0);
  // Always present for a client, even empty: receivers read its absence as "a later split piece".
  if (state.nick !== undefined || memberships.length > 0) options.push({ type: 'CLIENT_MEMBERSHIP', servers: memberships });
  if (state.server !== undefined) {
    options.push({ type: 'SERVER_OPTION', port: state.server.port });
    const channels = publicOnly(state.server.channels).channels;
    if (channels.length > 0) options.push({ type: 'SERVER_CHANNELS', channels });
    for (const invite of state.invites) {
      if (!isPublicChannel(invite.channel)) continue;
      for (const clientIds of chunk(invite.clientIds, MAX_LIST_COUNT)) {
        options.push({ type: 'SERVER_INVITE', channel: invite.channel, clientIds });
      }
    }
  }
  return { peerId, options };
}
