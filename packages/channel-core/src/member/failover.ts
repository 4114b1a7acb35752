/**
 * Failover (docs/protocol.md §5, docs/architecture.md "Failover"): when the host is lost, which
 * host to try next. Fast path: the connection closed without EXIT and a reconnect to the same
 * endpoint failed. Timer path: discovery shows the host `disconnected` (three intervals silent).
 */
import type { MemberContext } from './member-context.js';
import { returnFromWinner } from './partition.js';
import type { FailoverReason, LobbyHost, MemberTarget } from './member-types.js';

/** `connect-failed`: the dial of the current target failed. */
export function onConnectFailed(ctx: MemberContext, refused: boolean): void {
  if (ctx.phase !== 'connecting') return;
  if (ctx.attempt === 'initial') ctx.emit({ event: 'error', code: 'CONNECT_FAILED', message: `cannot reach ${ctx.host?.peerId ?? '?'}${refused ? ' (refused)' : ''}` });
  targetFailed(ctx);
}

/** `closed` without our EXIT. */
export function onClosed(ctx: MemberContext): void {
  if (ctx.phase === 'joined' && ctx.host !== undefined) {
    // Fast path (docs/protocol.md §5): closed without EXIT: try the same endpoint once; a
    // failure of that attempt (refused, or closed again before STANDBY) fails over.
    ctx.connOpen = false;
    ctx.connect(ctx.host, 'reconnect');
  } else if (ctx.phase === 'joining') {
    targetFailed(ctx);
  }
}

/** Our host named `standbyId` STANDBY: a lost host it names has come back (see `revived`). */
export function noteStandbyNamed(ctx: MemberContext, standbyId: string): void {
  if (ctx.lostHosts.has(standbyId)) ctx.revived.add(standbyId);
}

/**
 * `lobby`: records discovery's hosts, forgets lost hosts it has seen go, and fails over when our
 * host is gone (timer path). Returns whether it moved off the host.
 */
export function followLiveness(ctx: MemberContext, hosts: readonly LobbyHost[]): boolean {
  ctx.lobby = hosts;
  const host = ctx.host;
  const wasSeen = host !== undefined && ctx.everInLobby.has(host.peerId);
  for (const h of hosts) ctx.everInLobby.add(h.id);
  for (const id of [...ctx.lostHosts]) {
    const h = hosts.find((x) => x.id === id);
    if (h === undefined || h.state === 'disconnected') {
      ctx.lostHosts.delete(id);
      ctx.revived.delete(id);
    }
  }
  if (host === undefined || ctx.phase === 'idle' || ctx.phase === 'left') return false;
  const current = hosts.find((x) => x.id === host.peerId);
  // Our own embedded host is never in the lobby (discovery ignores our own PDUs).
  const gone = host.peerId !== ctx.opts.selfId && (current === undefined ? wasSeen : current.state === 'disconnected');
  if (!gone) return false;
  // Timer path (docs/protocol.md §5): three intervals without a PDU. maybeDisconnected alone: stay.
  if (ctx.attempt === 'failover' && ctx.phase !== 'joined') {
    ctx.lostHosts.add(host.peerId);
    targetFailed(ctx);
  } else failOver(ctx, 'silent');
  return true;
}

/** Failover targets in order (docs/architecture.md "Failover"), skipping lost and tried hosts. */
function candidates(ctx: MemberContext): MemberTarget[] {
  const list: MemberTarget[] = [];
  const standby = standbyTarget(ctx);
  if (standby !== undefined) list.push(standby);
  // Sorted by ID, so members that lost the same host pick the same next one.
  for (const h of ctx.announcing()) if (usable(ctx, h.id) && !list.some((t) => t.peerId === h.id)) list.push({ peerId: h.id, address: h.address, port: h.port });
  return list;
}

/** The standby's endpoint (our own embedded host's when we are it), when it may be tried. */
function standbyTarget(ctx: MemberContext): MemberTarget | undefined {
  const { selfId, selfEndpoint } = ctx.opts;
  const standby = ctx.standby;
  if (standby === undefined || standby === ctx.move?.from) return undefined;
  if (!usable(ctx, standby) && !(ctx.revived.has(standby) && !ctx.tried.has(standby))) return undefined;
  if (standby === selfId) return selfEndpoint === undefined ? undefined : { peerId: selfId, ...selfEndpoint };
  const h = ctx.lobby.find((x) => x.id === standby && x.state !== 'disconnected');
  return h === undefined ? undefined : { peerId: h.id, address: h.address, port: h.port };
}

function usable(ctx: MemberContext, id: string): boolean {
  return !ctx.tried.has(id) && !ctx.lostHosts.has(id);
}

/** Dials the first candidate, else the channel is lost. */
function tryNext(ctx: MemberContext): void {
  const next = candidates(ctx)[0];
  if (next === undefined) {
    ctx.leave('lost');
    return;
  }
  ctx.tried.add(next.peerId);
  ctx.connect(next, 'failover');
}

/** Leaves a lost host (never a target again until discovery has seen it go) for the next target. */
function failOver(ctx: MemberContext, reason: Exclude<FailoverReason, 'partition'>): void {
  const from = ctx.host?.peerId ?? '';
  ctx.lostHosts.add(from);
  ctx.revived.delete(from);
  ctx.move = { from, reason };
  ctx.tried = new Set([from]);
  tryNext(ctx);
}

/** The dial or the join on the current target failed. */
function targetFailed(ctx: MemberContext): void {
  ctx.connOpen = false;
  if (ctx.attempt === 'reconnect' || ctx.attempt === 'back') {
    failOver(ctx, 'closed');
    return;
  }
  if (returnFromWinner(ctx)) return;
  // A first join that fails tries where else the lobby shows the channel, like a failover.
  if (ctx.attempt === 'initial' && ctx.host !== undefined) ctx.tried.add(ctx.host.peerId);
  tryNext(ctx);
}
