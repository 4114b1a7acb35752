/**
 * Standby choice (docs/protocol.md §5, docs/architecture.md "Standby choice"), as a pure function.
 */
import { compareIds } from '@ims/codec';
import type { PeerInfo } from './types.js';

/** A channel member as the standby choice sees it. */
export interface StandbyCandidate {
  readonly id: string;
  readonly joinedAt: number;
}

/**
 * Whether a member may be standby (or successor): not the host, announces SERVER_OPTION, and is not
 * disconnected (docs/protocol.md §5.1: a `maybeDisconnected` peer keeps its role).
 */
export function canBeStandby(id: string, peer: PeerInfo | undefined, hostId: string): boolean {
  return id !== hostId && peer !== undefined && peer.canHost && peer.alive;
}

/**
 * Picks the channel's standby among `members`: a member that is not suspected before one that is,
 * then a dedicated server, then the one hosting the fewest public channels, then the longest-joined,
 * then the smallest ID. Returns `hostId` when no member qualifies (clients read "standby == host"
 * as "no standby").
 */
export function pickStandby(members: Iterable<StandbyCandidate>, peers: ReadonlyMap<string, PeerInfo>, hostId: string): string {
  let best: StandbyCandidate | undefined;
  let bestPeer: PeerInfo | undefined;
  for (const m of members) {
    const peer = peers.get(m.id);
    if (!canBeStandby(m.id, peer, hostId) || peer === undefined) continue;
    if (best === undefined || bestPeer === undefined || betterPick(m, peer, best, bestPeer)) {
      best = m;
      bestPeer = peer;
    }
  }
  return best?.id ?? hostId;
}

/** A new pick prefers a member that is not suspected; the order of §5.2 decides the rest. */
function betterPick(a: StandbyCandidate, pa: PeerInfo, b: StandbyCandidate, pb: PeerInfo): boolean {
  const sa = pa.suspected === true;
  if (sa !== (pb.suspected === true)) return !sa;
  return betterStandby(a, pa, b, pb);
}

/** Whether candidate `a` (peer `pa`) is a better standby than `b` (peer `pb`), by docs/protocol.md §5.2. */
export function betterStandby(a: StandbyCandidate, pa: PeerInfo, b: StandbyCandidate, pb: PeerInfo): boolean {
  if (pa.dedicated !== pb.dedicated) return pa.dedicated;
  if (pa.hostedChannels !== pb.hostedChannels) return pa.hostedChannels < pb.hostedChannels;
  if (a.joinedAt !== b.joinedAt) return a.joinedAt < b.joinedAt;
  return compareIds(a.id, b.id) < 0;
}
