/**
 * @ims/host-service: channel-core's host reducer served over a transport (TCP unless told
 * otherwise). It feeds the reducer with the connections, frames and discovery snapshots, executes
 * its effects on connections, discovery and the history store, and keeps the abuse limits in front
 * of it. Used by the channel-server and by the peer-client's embedded host.
 *
 * @example
 * ```ts
 * import { hostDiscovery, memoryHistoryStore, startHostService } from '@ims/host-service';
 * const host = await startHostService({ peerId, discovery: hostDiscovery(discovery), store: memoryHistoryStore() });
 * console.log(host.endpoint.port);
 * await host.stop();
 * ```
 * @packageDocumentation
 */
export { startHostService } from './host-service.js';
export type { HostService, HostStats } from './host-service-types.js';
export { DEFAULT_HOST_LIMITS } from './host-limits.js';
export type { HostLimits } from './host-limits.js';
export { memoryHistoryStore } from './history-store.js';
export type { CommitResult, HistoryStore } from './history-store.js';
export { hostDiscovery } from './host-discovery.js';
export type { HostDiscovery, HostDiscoveryOptions, PrivateInviteDelivery } from './host-discovery.js';
export { tapOwnHost } from './own-host.js';
export type { OwnHostTap } from './own-host.js';
export { Histogram } from './histogram.js';
