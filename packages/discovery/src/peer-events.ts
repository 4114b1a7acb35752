/**
 * What the peer table reports: public views of peers and the events of docs/protocol.md §4 liveness.
 * Plain data, so channel-core can take them as inputs without importing this package.
 */
import type { ServerMembership } from '@ims/codec';

/** Liveness of a discovered peer (docs/protocol.md §4). Dropped peers leave the table. */
export type Liveness = 'alive' | 'maybeDisconnected' | 'disconnected';

/** A TCP endpoint: a server's datagram source address and its SERVER_OPTION port. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/** An immutable view of one discovered peer. */
export interface PeerInfo {
  /** The peer ID from its PDUs. */
  readonly id: string;
  /** Source address of its latest datagram. */
  readonly address: string;
  /** CLIENT_NICK, if the peer is a client. */
  readonly nick: string | undefined;
  /** CLIENT_MEMBERSHIP: public channels per server (private ones are never listed). */
  readonly memberships: readonly ServerMembership[];
  /** Where it hosts (address + SERVER_OPTION port), if it hosts. */
  readonly server: Endpoint | undefined;
  /** Public channels it hosts: the union of its recent SERVER_CHANNELS, sorted. */
  readonly channels: readonly string[];
  /**
   * A host with no user behind it: SERVER_OPTION without CLIENT_NICK, or a named server (below).
   */
  readonly isDedicatedServer: boolean;
  /**
   * A dedicated server's human name (docs/protocol.md §3.7): the CLIENT_NICK of a peer announcing
   * SERVER_OPTION that never sent CLIENT_MEMBERSHIP (every ims client always does). Such a peer has
   * no `nick`: it is no client.
   */
  readonly name?: string | undefined;
  /** Liveness state. */
  readonly state: Liveness;
  /** Scheduler time (ms) of its latest PDU. */
  readonly lastSeen: number;
}

/** An invitation addressed to the local peer (SERVER_INVITE naming its peer ID). */
export interface Invitation {
  /** Peer ID of the inviting server. */
  readonly serverId: string;
  readonly channel: string;
  /** Where to JOIN. */
  readonly endpoint: Endpoint;
  /** Scheduler time (ms) it was last received. */
  readonly receivedAt: number;
}

/** A change in the peer table; `at` is scheduler time in ms. */
export type PeerEvent =
  | { readonly kind: 'appeared'; readonly at: number; readonly peer: PeerInfo }
  | { readonly kind: 'nickChanged'; readonly at: number; readonly peerId: string; readonly nick: string | undefined; readonly previous: string | undefined }
  | { readonly kind: 'membershipsChanged'; readonly at: number; readonly peerId: string; readonly memberships: readonly ServerMembership[] }
  | { readonly kind: 'serverChanged'; readonly at: number; readonly peerId: string; readonly server: Endpoint | undefined }
  | { readonly kind: 'suspect'; readonly at: number; readonly peerId: string }
  | { readonly kind: 'aliveAgain'; readonly at: number; readonly peerId: string }
  | { readonly kind: 'disconnected'; readonly at: number; readonly peerId: string }
  | { readonly kind: 'gone'; readonly at: number; readonly peerId: string; readonly reason: 'silent' | 'evicted' }
  | { readonly kind: 'channelOpened'; readonly at: number; readonly peerId: string; readonly channel: string; readonly endpoint: Endpoint }
  | { readonly kind: 'channelClosed'; readonly at: number; readonly peerId: string; readonly channel: string }
  | { readonly kind: 'invited'; readonly at: number; readonly invitation: Invitation };

/** The `kind` of a PeerEvent. */
export type PeerEventKind = PeerEvent['kind'];
