/**
 * @ims/discovery: PeerPDU multicast, the peer table with liveness, and the lobby (docs/protocol.md §3–4).
 *
 * @example
 * ```ts
 * import { discover, udpPort } from '@ims/discovery';
 * const d = discover(await udpPort(), { nick: 'alice' });
 * d.events$.subscribe((e) => console.log(e.kind));
 * d.setMemberships([{ serverId: 'host-1', channels: ['#lobby'] }]);
 * // later
 * d.close();
 * ```
 * @packageDocumentation
 */
export type { Address, Datagram, DatagramPort } from './datagram-port.js';
export { DiscoveryError, type DiscoveryErrorCode } from './errors.js';
export { memoryNetwork, type MemoryNetwork, type MemoryNetworkOptions, type MemoryPortOptions } from './memory-network.js';
export { udpPort, probeMulticast, interfaceAddress, type UdpPortOptions, type ProbeResult } from './udp-port.js';
export type { Endpoint, Invitation, Liveness, PeerEvent, PeerEventKind, PeerInfo } from './peer-events.js';
export { applyPdu, createPeerTable, tick, type PeerEntry, type PeerTable, type PeerTableConfig, type PeerTableOptions } from './peer-table.js';
export { EMPTY_LOBBY, type Lobby, type LobbyClient, type LobbyServer } from './lobby.js';
export type { OwnServer } from './own-state.js';
export type { DiscoveryLog, DiscoveryLogEntry, DiscoveryStats } from './stats.js';
export { discover, type DiscoverOptions, type Discovery } from './discover.js';
export { listenForInvites, type InviteListener, type InviteListenerOptions, type InviteListenerStats } from './invite-listener.js';
export { createDirectInviteSender, type DirectInvitation, type DirectInviteSender, type DirectInviteSenderOptions, type DirectInviteStats } from './direct-invite-sender.js';
export {
  createDirectInvites,
  readDirectInvite,
  type DirectInviteDrop,
  type DirectInviteResult,
  type DirectInvites,
  type DirectInvitesOptions,
  type ReadDirectInviteOptions,
} from './direct-invites.js';
