/**
 * @ims/member-session: one channel followed from the client side. channel-core's member reducer
 * decides (join, history, failover target, re-sends); a session executes its effects over one
 * connection at a time, through a transport (TCP unless told otherwise), and publishes its events.
 *
 * @example
 * ```ts
 * import { createMember } from '@ims/channel-core';
 * import { lobbyHosts, startMemberSession } from '@ims/member-session';
 * const session = startMemberSession({ selfId, channel: '#lobby', target, createMember: () => createMember({ selfId, channel: '#lobby' }), hosts$: lobbyHosts(discovery) });
 * session.events$.subscribe((e) => console.log(e.event));
 * session.post('hello');
 * ```
 * @packageDocumentation
 */
export { startMemberSession } from './member-session.js';
export type { MemberSession } from './member-session.js';
export { lobbyHosts } from './lobby-hosts.js';
