/**
 * Live posts (docs/architecture.md "No loss, no duplicates"): own posts stay pending until the host
 * echoes them; a live SAY is shown unless it is a re-send we already showed before a failover. A
 * post the host refused for now (docs/protocol.md §6.2: `FLOOD`, `STORE_UNAVAILABLE`) stays pending
 * and is sent again after a back-off, so it is never dropped silently and shown once, at its echo.
 */
import type { ServerSayCommand } from '@ims/codec';
import { postKey, type MemberContext } from './member-context.js';

/** ERROR codes that refuse one SAY for now: the oldest in flight is sent again later. */
const RETRYABLE_POST_CODES: ReadonlySet<string> = new Set(['FLOOD', 'STORE_UNAVAILABLE']);

/** `post`: queued as pending (at most `pendingLimit`), sent now when joined, else after the join. */
export function onPost(ctx: MemberContext, text: string): void {
  if (ctx.phase === 'left') ctx.emit({ event: 'error', code: 'NOT_JOINED', message: `${ctx.opts.channel} was left` });
  else if (ctx.pending.length >= ctx.opts.pendingLimit) ctx.emit({ event: 'error', code: 'PENDING_FULL', message: `${ctx.opts.pendingLimit} posts await their echo` });
  else {
    ctx.pending.push(text);
    // Behind a refused post, a new one waits for the re-send: the author's order is kept.
    if (ctx.phase === 'joined' && ctx.refused.length > 0) ctx.refused.push(text);
    else if (ctx.phase === 'joined') ctx.send({ cmd: 'SAY', text });
  }
}

/** A SAY after the join completed: our echo ends a pending post; an expected re-send is swallowed once. */
export function onLiveSay(ctx: MemberContext, cmd: ServerSayCommand, at: number): void {
  const author = cmd.authorId;
  const text = cmd.text;
  if (author === ctx.opts.selfId) {
    const i = ctx.pending.indexOf(text);
    if (i >= 0) ctx.pending.splice(i, 1);
    const f = ctx.inflight.indexOf(text);
    if (f >= 0) {
      ctx.inflight.splice(f, 1);
      // The host takes posts again: the next refusal backs off from the start.
      ctx.retries = 0;
    }
  }
  if (ctx.expected.take(postKey({ author, text }))) return;
  ctx.seen.push({ author, text, at });
  ctx.emit({ event: 'say', author, text });
}

/**
 * A joined member's ERROR with `code`: a retryable one refuses our oldest SAY in flight, which is
 * sent again after a back-off (refusals of a burst share one wake-up). Returns false when the ERROR
 * is not such a refusal (a host that never refuses posts, or nothing in flight): it is only shown.
 */
export function onPostRefused(ctx: MemberContext, code: string): boolean {
  if (ctx.phase !== 'joined' || !RETRYABLE_POST_CODES.has(code)) return false;
  const text = ctx.inflight.shift();
  if (text === undefined) return false;
  ctx.refused.push(text);
  if (ctx.wake !== 'resend') ctx.backOff('resend');
  return true;
}

/** `timer` while joined: sends the refused posts again, in their order (those still pending). */
export function resendRefused(ctx: MemberContext): void {
  const again = ctx.refused;
  ctx.refused = [];
  ctx.wake = undefined;
  const pending = new Map<string, number>();
  for (const t of ctx.pending) pending.set(t, (pending.get(t) ?? 0) + 1);
  for (const t of ctx.inflight) pending.set(t, (pending.get(t) ?? 0) - 1);
  for (const text of again) {
    const n = pending.get(text) ?? 0;
    if (n <= 0) continue;
    pending.set(text, n - 1);
    ctx.send({ cmd: 'SAY', text });
  }
}
