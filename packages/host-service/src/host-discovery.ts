/**
 * What the host service needs from discovery, as a small port: peer snapshots in, announcements
 * out. The apps adapt `@ims/discovery`'s handle to it; tests pass a fake.
 */
import type { PeerInfo } from '@ims/channel-core';
import { type Observable, map } from 'rxjs';

/** The fields of a discovered peer the host uses (a structural subset of `@ims/discovery`'s PeerInfo). */
export interface DiscoveredPeer {
  readonly id: string;
  readonly address: string;
  /** CLIENT_NICK, if the peer is a client. */
  readonly nick: string | undefined;
  /** Present when it announces SERVER_OPTION. */
  readonly server: { readonly address: string; readonly port: number } | undefined;
  /** Public channels it hosts. */
  readonly channels: readonly string[];
  /** SERVER_OPTION without CLIENT_NICK. */
  readonly isDedicatedServer: boolean;
  /** Liveness (docs/protocol.md §4). */
  readonly state: 'alive' | 'maybeDisconnected' | 'disconnected';
}

/** Discovery as seen by a host: snapshots of the peer table and the two announcements it makes. */
export interface HostDiscovery {
  /** The whole peer table, emitted on every change. */
  readonly peers$: Observable<readonly DiscoveredPeer[]>;
  /** Announce (now) that this peer hosts on `port` with these public channels; `undefined` stops hosting. */
  setServer(server: { readonly port: number; readonly channels: readonly string[] } | undefined): void;
  /**
   * Invite to a channel (docs/protocol.md §3.8): multicast SERVER_INVITE for a public one; a private
   * one is never multicast, it is delivered to each invitee by TCP or dropped (§8).
   */
  invite(channel: string, clientIds: readonly string[]): void;
}

/** Discovery's peer view → channel-core's PeerInfo (plain data for the host reducer). */
export function toHostPeers(peers: readonly DiscoveredPeer[]): PeerInfo[] {
  return peers.map((p) => ({
    id: p.id,
    address: p.address,
    canHost: p.server !== undefined,
    dedicated: p.isDedicatedServer,
    hostedChannels: p.channels.length,
    channels: p.channels,
    isClient: p.nick !== undefined,
    // docs/protocol.md §5.1: suspicion is not death, a maybeDisconnected peer keeps its roles.
    alive: p.state !== 'disconnected',
    suspected: p.state === 'maybeDisconnected',
  }));
}

/** The parts of `@ims/discovery`'s `Discovery` handle that {@link hostDiscovery} uses. */
export interface DiscoveryLike {
  /** Lobby snapshots; `peers` is the whole peer table. */
  readonly lobby$: Observable<{ readonly peers: readonly DiscoveredPeer[] }>;
  /** Announce hosting (port and public channels), or stop with `undefined`. */
  setServer(server: { readonly port: number; readonly channels: readonly string[] } | undefined): void;
  /** Announce SERVER_INVITE. */
  invite(channel: string, clientIds: readonly string[]): void;
  /** One peer as of now (where its PeerPDUs come from): needed to deliver private invitations. */
  peer?(id: string): { readonly address: string } | undefined;
}

/** Delivers a private channel's invitation to each invitee by TCP (`@ims/discovery`'s createDirectInviteSender). */
export interface PrivateInviteDelivery {
  send(invitation: { readonly channel: string; readonly serverPort: number; readonly invitees: readonly { readonly id: string; readonly address: string }[] }): void;
}

/** Options of {@link hostDiscovery}. */
export interface HostDiscoveryOptions {
  /**
   * Tells the invitees of a private channel, which is never multicast (docs/protocol.md §3.8, §8):
   * each one known to discovery gets the invitation by TCP at its address. Without it they are
   * admitted and told nothing (the inviter passes the name on). @default none
   */
  readonly privateInvites?: PrivateInviteDelivery;
}

/** Adapts a running `discover()` handle to the host service's port. */
export function hostDiscovery(discovery: DiscoveryLike, options: HostDiscoveryOptions = {}): HostDiscovery {
  // The port members JOIN on: where a private invitation sends the invitee.
  let serverPort: number | undefined;
  const deliver = options.privateInvites;
  return {
    peers$: discovery.lobby$.pipe(map((lobby) => lobby.peers)),
    setServer: (server) => {
      serverPort = server?.port;
      discovery.setServer(server);
    },
    invite: (channel, clientIds) => {
      if (!channel.startsWith('@')) return discovery.invite(channel, clientIds);
      if (deliver === undefined || serverPort === undefined || discovery.peer === undefined) return;
      const invitees: { id: string; address: string }[] = [];
      for (const id of clientIds) {
        const address = discovery.peer(id)?.address;
        if (address !== undefined) invitees.push({ id, address });
      }
      if (invitees.length > 0) deliver.send({ channel, serverPort, invitees });
    },
  };
}
