/**
 * @ims/channel-core: the protocol's brain, as pure reducers. The host role serves channels
 * (members, history, standby); the member role follows one channel from a client and decides
 * failover. No sockets, no timers: time is injected.
 *
 * @example
 * ```ts
 * const host = createHost({ hostId: 'peer-a' }, () => scheduler.now());
 * host.handle({ kind: 'opened', conn: 'c1', remote: { address: '127.0.0.1', port: 50000 } });
 * const effects = host.handle({ kind: 'frame', conn: 'c1', command: { cmd: 'JOIN', channel: '#lobby' } });
 * // → log channel-created, channels ['#lobby'], log joined, broadcast STANDBY peer-a to ['c1']
 * ```
 * @packageDocumentation
 */
export type { Post, PulledPost, PeerInfo, HostInput, HostEffect, HostOptions, HostSnapshot, Host } from './types.js';
export { createHost } from './host/host.js';
export { historySay } from './host/history-say.js';
export { HOST_DEFAULTS } from './host/host-context.js';
export type { MemberTarget, LobbyHost, MemberInput, MemberEvent, MemberEffect, MemberOptions, MembershipSnapshot, Member } from './member/member-types.js';
export { createMember } from './member/member.js';
export { lostHostExpiryFor } from './member/lost-marks.js';
