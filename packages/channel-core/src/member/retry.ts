/**
 * Trying a host again later (docs/protocol.md §6.2): a host that refuses a JOIN for capacity is
 * full or stopping, not dead, and a failover target whose dial timed out may only be swamped by
 * the other members arriving at once. Both are dialled again after a back-off, on the same target,
 * so the members that lost one host stay together on the next one.
 */
import type { MemberContext } from './member-context.js';
import { resendRefused } from './posts.js';

/** ERROR codes of a host that is there but cannot take us now (ID_IN_USE: our older connection is not gone yet there, docs/protocol.md §10). */
const BUSY_CODES: ReadonlySet<string> = new Set(['MAX_CONNECTIONS', 'MAX_CONNECTIONS_PER_IP', 'CONNECTION_RATE_PER_IP', 'NOT_ACCEPTING', 'CHANNEL_FULL', 'ID_IN_USE', 'CREATE_RATE']);

/**
 * An ERROR with `code` before STANDBY: a busy host is closed and dialled again after a back-off.
 * Returns false when the ERROR is no such refusal.
 */
export function onJoinRefused(ctx: MemberContext, code: string): boolean {
  if (ctx.phase !== 'joining' || !BUSY_CODES.has(code)) return false;
  ctx.out.push({ kind: 'disconnect' });
  ctx.connOpen = false;
  ctx.phase = 'connecting';
  ctx.backOff('redial');
  return true;
}

/**
 * `connect-failed` of a failover target that was not refused (a timeout, while a host is lost):
 * dialled again, up to `dialRetries` times, before the next target. Returns false when the failure is left to failover.
 */
export function retryDial(ctx: MemberContext, refused: boolean): boolean {
  if (refused || ctx.phase !== 'connecting' || ctx.attempt !== 'failover' || ctx.move === undefined) return false;
  if (ctx.retries >= ctx.opts.dialRetries) return false;
  ctx.connOpen = false;
  ctx.backOff('redial');
  return true;
}

/** `timer`: the wake-up asked for is due; one that the state has since moved past does nothing. */
export function onTimer(ctx: MemberContext): void {
  if (ctx.wake === 'resend' && ctx.phase === 'joined') resendRefused(ctx);
  else if (ctx.wake === 'redial' && ctx.phase === 'connecting' && !ctx.connOpen && ctx.host !== undefined) ctx.connect(ctx.host, ctx.attempt);
}
