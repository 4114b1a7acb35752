/**
 * Which channels a standby box follows as a member (`--standby-for`), as a pure function of the
 * lobby. docs/protocol.md §5: a standby must be a member that can host; by joining the public channels
 * of the watched servers, this box becomes their preferred standby (a dedicated server).
 */
import { compareIds } from '@ims/codec';
import type { MemberTarget } from '@ims/channel-core';
import type { Lobby } from '@ims/discovery';

/** Whose channels to back up: every other server, or these peer IDs. */
export type StandbyWatch = 'all' | ReadonlySet<string>;

/** `--standby-for` values → watch spec; `undefined` when standby mode is off (empty list). */
export function parseStandbyFor(list: readonly string[]): StandbyWatch | undefined {
  if (list.length === 0) return undefined;
  return list.includes('all') ? 'all' : new Set(list);
}

/** What the planner needs besides the lobby. */
export interface PlanContext {
  readonly selfId: string;
  readonly watch: StandbyWatch;
  /** Channels this box hosts itself (after a takeover): following them as a member is pointless. */
  readonly selfHosted: ReadonlySet<string>;
}

/** Public channels some other peer announces membership of (CLIENT_MEMBERSHIP, any server). */
export function channelsWithMembers(lobby: Lobby, selfId: string): Set<string> {
  const out = new Set<string>();
  for (const p of lobby.peers) {
    if (p.id === selfId) continue;
    for (const m of p.memberships) for (const ch of m.channels) out.add(ch);
  }
  return out;
}

/**
 * Channels to follow now, each with the host to JOIN: public channels of alive watched servers that
 * some other peer is a member of (so the box never keeps an abandoned channel open on its own),
 * minus those this box hosts. When two servers announce one channel, the smaller ID wins, as in
 * the partition rule (docs/architecture.md).
 */
export function planReplicas(lobby: Lobby, ctx: PlanContext): Map<string, MemberTarget> {
  const withMembers = channelsWithMembers(lobby, ctx.selfId);
  const plan = new Map<string, MemberTarget>();
  const servers = [...lobby.servers].sort((a, b) => compareIds(a.id, b.id));
  for (const s of servers) {
    if (s.id === ctx.selfId || s.state !== 'alive') continue;
    if (ctx.watch !== 'all' && !ctx.watch.has(s.id)) continue;
    for (const ch of s.channels) {
      if (!ch.startsWith('#') || ctx.selfHosted.has(ch) || !withMembers.has(ch) || plan.has(ch)) continue;
      plan.set(ch, { peerId: s.id, address: s.endpoint.address, port: s.endpoint.port });
    }
  }
  return plan;
}

/**
 * Whether a followed channel should be left: this box hosts it now (a takeover happened), or no
 * other peer is a member any more. A watched server going silent is *not* a reason: that is when
 * the member session fails over.
 */
export function shouldLeave(channel: string, lobby: Lobby, ctx: PlanContext): boolean {
  return ctx.selfHosted.has(channel) || !channelsWithMembers(lobby, ctx.selfId).has(channel);
}
