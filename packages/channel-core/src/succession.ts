/**
 * Succession (docs/protocol.md §2.8, §5.2, §5.5): the members that take the channel over after the
 * standby, in the standby choice order, as pure functions over small lists (at most
 * `MAX_SUCCESSORS`), so a join costs O(MAX_SUCCESSORS), never O(members).
 */
import { MAX_SUCCESSORS } from '@ims/codec';
import { betterStandby, canBeStandby, type StandbyCandidate } from './standby.js';
import type { PeerInfo } from './types.js';

/** What the succession functions read of a channel: its members by ID and discovery's peers. */
export interface SuccessionView {
  readonly members: ReadonlyMap<string, StandbyCandidate>;
  readonly peers: ReadonlyMap<string, PeerInfo>;
  readonly hostId: string;
}

/**
 * The successors after `standby`: the members that may be standby (docs/protocol.md §5.1), other
 * than the host and `standby`, best first by the choice order of §5.2, at most `limit`. Suspicion
 * does not move a member in this order, so a peer that misses one announcement changes nothing.
 */
export function pickSuccessors(view: SuccessionView, standby: string, limit = MAX_SUCCESSORS): string[] {
  // A bounded insertion sort over one pass: O(members × limit) at worst, O(members) typically.
  const best: StandbyCandidate[] = [];
  const bestPeers: PeerInfo[] = [];
  for (const m of view.members.values()) {
    const peer = view.peers.get(m.id);
    if (m.id === standby || peer === undefined || !canBeStandby(m.id, peer, view.hostId)) continue;
    let at = best.length;
    while (at > 0 && betterStandby(m, peer, best[at - 1] as StandbyCandidate, bestPeers[at - 1] as PeerInfo)) at--;
    if (at >= limit) continue;
    best.splice(at, 0, m);
    bestPeers.splice(at, 0, peer);
    if (best.length > limit) {
      best.pop();
      bestPeers.pop();
    }
  }
  return best.map((m) => m.id);
}

/**
 * `list` with `id` inserted at its place in the choice order and cut to `limit`, or `undefined`
 * when that changes nothing (it does not qualify, is already listed, or ranks below a full list).
 */
export function insertSuccessor(view: SuccessionView, list: readonly string[], id: string, limit = MAX_SUCCESSORS): readonly string[] | undefined {
  const rec = view.members.get(id);
  const peer = view.peers.get(id);
  if (rec === undefined || peer === undefined || !canBeStandby(id, peer, view.hostId) || list.includes(id)) return undefined;
  let at = list.length;
  while (at > 0 && ranksBefore(view, rec, peer, list[at - 1] as string)) at--;
  if (at >= limit) return undefined;
  return [...list.slice(0, at), id, ...list.slice(at)].slice(0, limit);
}

/** Whether candidate `rec` ranks before the listed member `other` (one that no longer qualifies ranks last). */
function ranksBefore(view: SuccessionView, rec: StandbyCandidate, peer: PeerInfo, other: string): boolean {
  const o = view.members.get(other);
  const op = view.peers.get(other);
  if (o === undefined || op === undefined) return true;
  return betterStandby(rec, peer, o, op);
}

/** Whether two successor lists are the same, in the same order. */
export function sameSuccessors(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => b[i] === id);
}
