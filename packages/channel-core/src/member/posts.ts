/**
 * Live posts (docs/architecture.md "No loss, no duplicates"): own posts stay pending until the host
 * echoes them; a live SAY is shown unless it is a re-send we already showed before a failover. A
 * post the host refused for now (docs/protocol.md §6.2: `FLOOD`, `STORE_UNAVAILABLE`) stays pending
 * and is sent again after a back-off, so it is never dropped silently and shown once, at its echo.
 * A post the host would refuse for good is refused here, before it is pending; one a host refused
 * for good anyway (its own rules) is dropped with one error event, never re-sent in a loop (§2.7).
 */
import { CodecError, encodeFrame, FRAME_HEADER_BYTES, type ServerSayCommand } from '@ims/codec';
import { postKey, type MemberContext } from './member-context.js';

/** ERROR codes that refuse one SAY for now: the oldest in flight is sent again later. */
const RETRYABLE_POST_CODES: ReadonlySet<string> = new Set(['FLOOD', 'STORE_UNAVAILABLE']);

/** `post`: queued as pending (at most `pendingLimit`), sent now when joined, else after the join. */
export function onPost(ctx: MemberContext, text: string): void {
  const bad = ctx.phase === 'left' ? undefined : localRefusal(ctx, text);
  if (ctx.phase === 'left') ctx.emit({ event: 'error', code: 'NOT_JOINED', message: `${ctx.opts.channel} was left` });
  else if (bad !== undefined) ctx.emit({ event: 'error', ...bad });
  else if (ctx.pending.length >= ctx.opts.pendingLimit) ctx.emit({ event: 'error', code: 'PENDING_FULL', message: `${ctx.opts.pendingLimit} posts await their echo` });
  else {
    ctx.pending.push(text);
    // Behind a refused post, a new one waits for the re-send: the author's order is kept.
    if (ctx.phase === 'joined' && ctx.refused.length > 0) ctx.refused.push(text);
    else if (ctx.phase === 'joined') ctx.send({ cmd: 'SAY', text });
  }
}

/**
 * Why the host would refuse `SAY text` for good (docs/protocol.md §2.7, §9), by the codec's own
 * rules: text the wire cannot carry (NUL, lone surrogate: the encoder throws), or a frame body over
 * the host's limit (`FRAME_TOO_LARGE`, after which the host closes the connection).
 */
function localRefusal(ctx: MemberContext, text: string): { code: string; message: string } | undefined {
  let body: number;
  try {
    body = sayBodyBytes(text);
  } catch (err) {
    if (!(err instanceof CodecError)) throw err;
    return { code: 'POST_INVALID', message: `post not sent: ${err.message}` };
  }
  const max = ctx.opts.maxFrameBytes;
  if (body > max) return { code: 'POST_TOO_LARGE', message: `post not sent: ${body} bytes on the wire, over the host's frame limit of ${max}` };
  return undefined;
}

/** Bytes of the frame body of `SAY text` (throws CodecError INVALID_VALUE on text the wire cannot carry). */
function sayBodyBytes(text: string): number {
  return encodeFrame({ cmd: 'SAY', text }).length - FRAME_HEADER_BYTES;
}

/** A SAY after the join completed: our echo ends a pending post; an expected re-send is swallowed once. */
export function onLiveSay(ctx: MemberContext, cmd: ServerSayCommand, at: number): void {
  const author = cmd.authorId;
  const text = cmd.text;
  if (author === ctx.opts.selfId) {
    const i = ctx.pending.indexOf(text);
    if (i >= 0) ctx.pending.splice(i, 1);
    if (ctx.closeStreak?.text === text) ctx.closeStreak = undefined;
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

/**
 * A joined member's ERROR `FRAME_TOO_LARGE` (docs/protocol.md §6.1): the host refused one of our
 * frames for good and closes the connection. The SAY in flight it names (an ims host says
 * `frame of N bytes`; else the largest in flight) is dropped from pending with one error event, so
 * the reconnect does not send it again. Returns false when no SAY in flight is its cause.
 */
export function onPostRejected(ctx: MemberContext, code: string, reason: string): boolean {
  if (ctx.phase !== 'joined' || code !== 'FRAME_TOO_LARGE' || ctx.inflight.length === 0) return false;
  const named = /frame of (\d+) bytes/.exec(reason)?.[1];
  const sizes = ctx.inflight.map(sayBodyBytes);
  const i = named === undefined ? sizes.indexOf(Math.max(...sizes)) : sizes.indexOf(Number(named));
  const text = ctx.inflight[i];
  if (text === undefined) return false;
  ctx.inflight.splice(i, 1);
  dropPending(ctx, text, `the host refused a post for good (${reason}); it is not sent again`);
  return true;
}

/**
 * `closed` while joined (before the reconnect): the oldest SAY in flight was unanswered when the
 * connection closed. The same post at `maxClosesPerPost` closes in a row, never echoed, is taken
 * as their cause (a host with stricter rules than ours that closes without a word) and dropped.
 */
export function noteClosedWithPost(ctx: MemberContext): void {
  const text = ctx.inflight[0];
  if (text === undefined) return;
  const n = ctx.closeStreak?.text === text ? ctx.closeStreak.count + 1 : 1;
  ctx.closeStreak = { text, count: n };
  if (n < ctx.opts.maxClosesPerPost) return;
  ctx.closeStreak = undefined;
  dropPending(ctx, text, `the connection closed ${n} times right after this post, never echoed; it is not sent again`);
}

function dropPending(ctx: MemberContext, text: string, why: string): void {
  const i = ctx.pending.indexOf(text);
  if (i >= 0) ctx.pending.splice(i, 1);
  const preview = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  ctx.emit({ event: 'error', code: 'POST_REFUSED', message: `${why}: ${JSON.stringify(preview)}` });
}
