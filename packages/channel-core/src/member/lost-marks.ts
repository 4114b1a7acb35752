/**
 * Lost hosts and when they stop being lost (docs/protocol.md §5.5). A host we failed over from may
 * still look `alive` in the lobby for a while (its last PDUs), with its old channel list, so it is
 * no target until that is over. It is over when discovery shows it `disconnected` or drops it, or
 * when it still shows it `alive` `lostHostExpiryMs` after we left it: then it has announced since,
 * it was restarted (or never died), and partition heal (§5.8) may unite the two copies on it.
 */
import type { MemberContext } from './member-context.js';

/**
 * `MemberOptions.lostHostExpiryMs` for a network announcing every `announceIntervalMs`: past the
 * time discovery needs to see a dead host go (3.5 intervals, docs/protocol.md §4) with room for lag,
 * so only a host that really announces again (a restart) is taken back (§5.5). At least 1 s.
 */
export function lostHostExpiryFor(announceIntervalMs: number): number {
  return Math.max(1_000, 6 * announceIntervalMs);
}

/** Marks `id` lost; its time is the first runtime time we are given after this (see {@link tick}). */
export function markLost(ctx: MemberContext, id: string): void {
  ctx.lostHosts.set(id, undefined);
  ctx.revived.delete(id);
}

/** Forgets a lost mark (and that the host came back as a standby). */
export function forgetLost(ctx: MemberContext, id: string): void {
  ctx.lostHosts.delete(id);
  ctx.revived.delete(id);
}

/**
 * An input carried the runtime's clock `at`: marks waiting for a time get it. The inputs that mark
 * a host lost (`closed`, `connect-failed`) carry no time, so a mark's time is never earlier than the
 * failover, which only delays the expiry.
 */
export function tick(ctx: MemberContext, at: number): void {
  if (at > ctx.clock) ctx.clock = at;
  for (const [id, since] of ctx.lostHosts) if (since === undefined) ctx.lostHosts.set(id, ctx.clock);
}

/**
 * Clears the marks of hosts the lobby shows `alive` at least `lostHostExpiryMs` after their mark's
 * time (docs/protocol.md §5.5). Returns whether any was cleared.
 */
export function expireLost(ctx: MemberContext): boolean {
  let cleared = false;
  for (const [id, since] of ctx.lostHosts) {
    if (since === undefined || ctx.clock - since < ctx.opts.lostHostExpiryMs) continue;
    if (ctx.lobby.find((h) => h.id === id)?.state !== 'alive') continue;
    forgetLost(ctx, id);
    cleared = true;
  }
  return cleared;
}

/**
 * Asks for a wake-up at the earliest mark expiry when no other wake-up is wanted (those of the
 * back-off come first; the next input re-arms this one). The runtime may fire after half the delay
 * (jitter), so the delay asked is twice the time left; `timer` brings the clock.
 */
export function armExpiry(ctx: MemberContext): void {
  if (ctx.wake !== undefined || ctx.phase === 'left' || ctx.phase === 'idle') return;
  let due: number | undefined;
  for (const since of ctx.lostHosts.values()) {
    if (since !== undefined && (due === undefined || since < due)) due = since;
  }
  if (due === undefined) return;
  const left = Math.max(1, due + ctx.opts.lostHostExpiryMs - ctx.clock);
  ctx.wake = 'expire';
  ctx.out.push({ kind: 'schedule', afterMs: 2 * left });
}
