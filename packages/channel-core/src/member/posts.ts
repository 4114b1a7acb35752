/**
 * Live posts (docs/architecture.md "No loss, no duplicates"): own posts stay pending until the host
 * echoes them; a live SAY is shown unless it is a re-send we already showed before a failover.
 */
import type { ServerSayCommand } from '@ims/codec';
import { postKey, type MemberContext } from './member-context.js';

/** `post`: queued as pending (at most `pendingLimit`), sent now when joined, else after the join. */
export function onPost(ctx: MemberContext, text: string): void {
  if (ctx.phase === 'left') ctx.emit({ event: 'error', code: 'NOT_JOINED', message: `${ctx.opts.channel} was left` });
  else if (ctx.pending.length >= ctx.opts.pendingLimit) ctx.emit({ event: 'error', code: 'PENDING_FULL', message: `${ctx.opts.pendingLimit} posts await their echo` });
  else {
    ctx.pending.push(text);
    if (ctx.phase === 'joined') ctx.send({ cmd: 'SAY', text });
  }
}

/** A SAY after the join completed: our echo ends a pending post; an expected re-send is swallowed once. */
export function onLiveSay(ctx: MemberContext, cmd: ServerSayCommand, at: number): void {
  const author = cmd.authorId;
  const text = cmd.text;
  if (author === ctx.opts.selfId) {
    const at = ctx.pending.indexOf(text);
    if (at >= 0) ctx.pending.splice(at, 1);
  }
  if (ctx.expected.take(postKey({ author, text }))) return;
  ctx.seen.push({ author, text, at });
  ctx.emit({ event: 'say', author, text });
}
