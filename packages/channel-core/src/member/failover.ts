/**
 * Failover (docs/protocol.md §5, docs/architecture.md "Failover"): when the host is lost, which
 * host to try next. Fast path: the connection closed without EXIT and a reconnect to the same
 * endpoint failed. Timer path: discovery shows the host `disconnected` (three intervals silent).
 */
import { compareIds } from '@ims/codec';
import { armExpiry, expireLost, forgetLost, markLost, tick } from './lost-marks.js';
import type { MemberContext } from './member-context.js';
import { convergeOnWinner, returnFromWinner } from './partition.js';
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
 * `lobby` at runtime time `at`: records discovery's hosts, forgets lost hosts it has seen go or
 * seen come back (lost-marks.ts), and fails over when our host is gone (timer path). Returns
 * whether it moved off the host.
 */
export function followLiveness(ctx: MemberContext, hosts: readonly LobbyHost[], at: number): boolean {
  const before = ctx.host === undefined ? undefined : ctx.lobby.find((x) => x.id === ctx.host?.peerId)?.state;
  ctx.lobby = hosts;
  tick(ctx, at);
  const host = ctx.host;
  const wasSeen = host !== undefined && ctx.everInLobby.has(host.peerId);
  for (const h of hosts) ctx.everInLobby.add(h.id);
  for (const id of ctx.lostHosts.keys()) {
    const h = hosts.find((x) => x.id === id);
    if (h === undefined || h.state === 'disconnected') forgetLost(ctx, id);
  }
  expireLost(ctx);
  armExpiry(ctx);
  if (ctx.waiting && ctx.phase === 'connecting') {
    ctx.waiting = false;
    ctx.tried = new Set([ctx.move?.from ?? '']);
    ctx.secondRound = false;
    tryNext(ctx);
    return true;
  }
  if (host === undefined || ctx.phase === 'idle' || ctx.phase === 'left') return false;
  const current = hosts.find((x) => x.id === host.peerId);
  // Our own embedded host is never in the lobby (discovery ignores our own PDUs).
  const gone = host.peerId !== ctx.opts.selfId && (current === undefined ? wasSeen && droppedBySilence(ctx, before) : current.state === 'disconnected');
  if (!gone) return false;
  // Timer path (docs/protocol.md §5): three intervals without a PDU. maybeDisconnected alone: stay.
  if (ctx.attempt === 'failover' && ctx.phase !== 'joined') {
    markLost(ctx, host.peerId);
    targetFailed(ctx);
  } else failOver(ctx, 'silent');
  return true;
}

/**
 * Whether our host's leaving the lobby means it went silent (docs/protocol.md §5.4). While our
 * connection to it is open and joined, a datagram (a PDU without SERVER_OPTION, forged or not)
 * does not outweigh it: only a drop that followed suspicion does, since discovery drops a silent
 * peer only after showing it suspect for two of its intervals. A host whose connection stays
 * half-open is thus still left by the timer path; one that really stops hosting closes it.
 */
function droppedBySilence(ctx: MemberContext, before: LobbyHost['state'] | undefined): boolean {
  if (ctx.phase !== 'joined' || !ctx.connOpen) return true;
  return before === 'maybeDisconnected' || before === 'disconnected';
}

/**
 * `timer` for the lost-mark wake-up (lost-marks.ts): marks that expired make their hosts
 * partition-heal candidates again. Returns false when the wake-up was another one.
 */
export function onLostTimer(ctx: MemberContext, at: number | undefined): boolean {
  if (ctx.wake !== 'expire') return false;
  // Without the clock it cannot tell whether a mark is due: the next input with one decides.
  if (at === undefined) return true;
  ctx.wake = undefined;
  tick(ctx, at);
  if (expireLost(ctx)) convergeOnWinner(ctx);
  armExpiry(ctx);
  return true;
}

/**
 * Failover targets in order (docs/protocol.md §5.5), skipping lost and tried hosts: the standby,
 * the successors its STANDBY named, the hosts announcing the channel; the fallback (every peer
 * that can host, smallest ID first) comes before those hosts when the STANDBY named no successors,
 * else after them; lost hosts the lobby still shows come last. Each step is an order all members
 * share, so those that lost the same host and standby pick the same next one.
 */
function candidates(ctx: MemberContext): MemberTarget[] {
  const list: MemberTarget[] = [];
  const add = (t: MemberTarget | undefined): void => {
    if (t !== undefined && !list.some((x) => x.peerId === t.peerId)) list.push(t);
  };
  add(standbyTarget(ctx));
  for (const id of ctx.successors) if (usable(ctx, id)) add(endpointOf(ctx, id));
  const fallback = ctx.everJoined ? fallbackTargets(ctx) : [];
  if (ctx.successors.length === 0) fallback.forEach(add);
  for (const h of ctx.announcing()) if (usable(ctx, h.id)) add({ peerId: h.id, address: h.address, port: h.port });
  fallback.forEach(add);
  // Last of all, a lost host still in the lobby (restarted before its mark expired): a channel is
  // lost only when no peer that can host is left to try.
  if (ctx.everJoined) for (const id of [...ctx.lostHosts.keys()].sort(compareIds)) if (!ctx.tried.has(id)) add(endpointOf(ctx, id));
  return list;
}

/** Where to dial peer `id`: our own embedded host for ourselves, else its endpoint while discovery shows it not disconnected. */
function endpointOf(ctx: MemberContext, id: string): MemberTarget | undefined {
  const { selfId, selfEndpoint } = ctx.opts;
  if (id === selfId) return selfEndpoint === undefined ? undefined : { peerId: selfId, ...selfEndpoint };
  const h = ctx.lobby.find((x) => x.id === id && x.state !== 'disconnected');
  return h === undefined ? undefined : { peerId: h.id, address: h.address, port: h.port };
}

/**
 * The fallback for a host that named no successors (an older or other implementation): every peer
 * the lobby shows that can host and is not disconnected, and ourselves when we can, smallest ID first.
 */
function fallbackTargets(ctx: MemberContext): MemberTarget[] {
  const ids = ctx.lobby.filter((h) => h.state !== 'disconnected' && h.id !== ctx.opts.selfId).map((h) => h.id);
  if (ctx.opts.selfEndpoint !== undefined) ids.push(ctx.opts.selfId);
  const out: MemberTarget[] = [];
  for (const id of ids.sort(compareIds)) {
    const t = usable(ctx, id) ? endpointOf(ctx, id) : undefined;
    if (t !== undefined) out.push(t);
  }
  return out;
}

/** The standby's endpoint (our own embedded host's when we are it), when it may be tried. */
function standbyTarget(ctx: MemberContext): MemberTarget | undefined {
  const standby = ctx.standby;
  if (standby === undefined || standby === ctx.move?.from) return undefined;
  if (!usable(ctx, standby) && !(ctx.revived.has(standby) && !ctx.tried.has(standby))) return undefined;
  return endpointOf(ctx, standby);
}

function usable(ctx: MemberContext, id: string): boolean {
  return !ctx.tried.has(id) && !ctx.lostHosts.has(id);
}

/** Dials the first candidate, else the channel is lost. */
function tryNext(ctx: MemberContext): void {
  let next = candidates(ctx)[0];
  if (next === undefined && ctx.move !== undefined && !ctx.secondRound) {
    // One more round, the host we left last of all: during the first, hosts may have come back
    // (a restarted host, a healed partition); a channel is lost only when none of them answers.
    ctx.secondRound = true;
    ctx.tried = new Set();
    next = candidates(ctx)[0];
  }
  if (next === undefined && ctx.everJoined && ctx.lobby.some((h) => h.id !== ctx.opts.selfId && h.state !== 'alive')) {
    // Discovery still tracks hosts it cannot hear (we may be the one cut off): they come back or
    // are dropped within its drop time, so wait for the lobby rather than give the channel up.
    ctx.waiting = true;
    ctx.wake = undefined;
    ctx.hangUp();
    ctx.phase = 'connecting';
    return;
  }
  if (next === undefined) {
    ctx.leave('lost');
    return;
  }
  ctx.waiting = false;
  ctx.tried.add(next.peerId);
  ctx.connect(next, 'failover');
}

/** Leaves a lost host (never a target again until discovery has seen it go) for the next target. */
function failOver(ctx: MemberContext, reason: Exclude<FailoverReason, 'partition'>): void {
  const from = ctx.host?.peerId ?? '';
  markLost(ctx, from);
  ctx.move = { from, reason };
  ctx.tried = new Set([from]);
  ctx.secondRound = false;
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
