/**
 * Partition heal, member side (docs/protocol.md §5, docs/architecture.md "Partition heal"): when
 * several hosts announce our channel, move to the smallest ID; move back when it cannot be reached.
 */
import { convergenceWinner } from '../convergence.js';
import { markLost } from './lost-marks.js';
import type { MemberContext } from './member-context.js';

/**
 * While joined: when an alive host with a smaller ID than ours announces the channel (and is not
 * one we lost), EXIT and move there, with the usual re-send rules on the join.
 */
export function convergeOnWinner(ctx: MemberContext): void {
  const host = ctx.host;
  if (ctx.phase !== 'joined' || host === undefined) return;
  const winner = convergenceWinner([host.peerId, ...ctx.announcing().filter((h) => !ctx.lostHosts.has(h.id)).map((h) => h.id)]);
  const target = ctx.lobby.find((h) => h.id === winner);
  if (winner === host.peerId || target === undefined) return;
  // `connect` leaves the loser cleanly (EXIT first), so its host sees no lost connection.
  ctx.move = { from: host.peerId, fromTarget: host, reason: 'partition' };
  ctx.tried = new Set([host.peerId, target.id]);
  ctx.connect({ peerId: target.id, address: target.address, port: target.port }, 'failover');
}

/**
 * The dial or join of a partition winner failed: returns to the host we left (true), and leaves
 * the winner alone until discovery has seen it go (else every lobby update would retry it).
 * False when no partition move is in progress.
 */
export function returnFromWinner(ctx: MemberContext): boolean {
  const move = ctx.move;
  if (move?.reason !== 'partition' || move.fromTarget === undefined || ctx.host === undefined) return false;
  markLost(ctx, ctx.host.peerId);
  ctx.move = undefined;
  ctx.connect(move.fromTarget, 'back');
  return true;
}
