/**
 * Joining (docs/protocol.md §2 and §5, docs/architecture.md "History delimiter", "No loss, no
 * duplicates"): dial, JOIN, buffer the history until the first STANDBY (or until the runtime says
 * none is coming, docs/protocol.md §7.7), then align it with what this member already saw and
 * re-send what the host lacks.
 */
import { isPrivateChannel, type ServerSayCommand, type StandbyCommand } from '@ims/codec';
import { HistoryRing } from '../history-ring.js';
import { alignHistory } from './align.js';
import { armExpiry, tick } from './lost-marks.js';
import { convergeOnWinner } from './partition.js';
import { postKey, type MemberContext, type TimedPost } from './member-context.js';
import type { MemberTarget } from './member-types.js';

/** `join`: dials the first host; a membership joins once. */
export function onJoin(ctx: MemberContext, target: MemberTarget): void {
  if (ctx.phase === 'idle') ctx.connect(target, 'initial');
}

/** `connected`: sends JOIN; what arrives until the first STANDBY is history. */
export function onConnected(ctx: MemberContext): void {
  if (ctx.phase !== 'connecting') return;
  ctx.phase = 'joining';
  resetHistory(ctx);
  ctx.send({ cmd: 'JOIN', channel: ctx.opts.channel, clientId: ctx.opts.selfId });
}

/**
 * A SAY between JOIN and the first STANDBY: a history entry (the newest `seenLimit` are kept). Its
 * time is the host's accept time when it sent one (docs/protocol.md §2.8), else the arrival `at`,
 * so a takeover host's archive keeps the original times.
 */
export function onHistorySay(ctx: MemberContext, cmd: ServerSayCommand, at: number): void {
  ctx.historyBuf.push({ author: cmd.authorId, text: cmd.text, at: cmd.at ?? at });
  ctx.historyCount++;
}

/**
 * STANDBY at runtime time `at`: keeps its successors (docs/protocol.md §2.8, §5.5), completes the
 * join in progress, else announces a changed standby. A completed join looks at the lobby at once
 * (docs/protocol.md §5.8): a smaller host may already announce the channel, and the lobby need not
 * change again to tell us.
 */
export function onStandby(ctx: MemberContext, cmd: StandbyCommand, at: number): void {
  const standbyId = cmd.peerId;
  tick(ctx, at);
  ctx.successors = cmd.successors ?? [];
  if (cmd.admitted !== undefined) learnAdmitted(ctx, cmd.admitted);
  const joining = ctx.phase === 'joining';
  if (joining) completeJoin(ctx, standbyId);
  else if (standbyId !== ctx.standby) {
    ctx.standby = standbyId;
    ctx.emit({ event: 'standby', standby: standbyId, host: ctx.host?.peerId ?? '' });
  }
  armExpiry(ctx);
  if (joining) convergeOnWinner(ctx);
}

/**
 * `no-standby` at runtime time `at`: the host sent no STANDBY in the runtime's wait (the draft
 * authors' server never does, docs/protocol.md §7.7). The join completes as if it had named itself:
 * what came so far is history, there is no standby, and the user is told once per membership that
 * the channel has no standby (no chosen failover target). A STANDBY that comes later is a standby
 * change; if the host fails, the targets are those of a host that named no successors (failover.ts).
 */
export function onNoStandby(ctx: MemberContext, at: number): void {
  if (ctx.phase !== 'joining' || ctx.host === undefined) return;
  tick(ctx, at);
  const host = ctx.host.peerId;
  completeJoin(ctx, host, false);
  if (!ctx.toldNoStandby) {
    ctx.toldNoStandby = true;
    ctx.emit({ event: 'error', code: 'NO_STANDBY', message: `${host} sent no STANDBY after JOIN: the join is complete, but ${ctx.opts.channel} has no standby (no member is chosen to take it over if ${host} fails)` });
  }
  armExpiry(ctx);
  convergeOnWinner(ctx);
}

function completeJoin(ctx: MemberContext, standbyId: string, announce = true): void {
  const target = ctx.host as MemberTarget;
  ctx.phase = 'joined';
  if (!ctx.everJoined) ctx.emit({ event: 'joined', host: target.peerId });
  else if (ctx.attempt === 'failover' && ctx.move !== undefined) ctx.emit({ event: 'failover', from: ctx.move.from, host: target.peerId, reason: ctx.move.reason });
  ctx.everJoined = true;
  ctx.move = undefined;
  ctx.tried = new Set();
  const history = ctx.historyBuf.toArray();
  // A re-send we were waiting for that reached the new host's history needs no swallowing any more.
  for (const h of history) ctx.expected.take(postKey(h));
  const a = alignHistory(ctx.seen.toArray(), history, ctx.pending, ctx.opts.selfId, ctx.historyCount >= ctx.opts.hostHistoryLimit);
  resetHistory(ctx);
  for (const p of a.fresh) {
    ctx.seen.push(p);
    ctx.emit({ event: 'history', author: p.author, text: p.text });
  }
  for (const p of a.expect) ctx.expected.add(postKey(p));
  ctx.standby = standbyId;
  if (announce) ctx.emit({ event: 'standby', standby: standbyId, host: target.peerId });
  ctx.pending = a.resend;
  for (const text of ctx.pending) ctx.send({ cmd: 'SAY', text });
}

/**
 * IDs of the private channel's admission list (docs/protocol.md §8), kept for a takeover by our
 * embedded host: added, never removed (a list only grows), at most `maxAdmitted`. A public
 * channel has none: a host sending one is ignored.
 */
function learnAdmitted(ctx: MemberContext, ids: readonly string[]): void {
  if (!isPrivateChannel(ctx.opts.channel)) return;
  const list = (ctx.admitted ??= new Set());
  for (const id of ids) {
    if (list.size >= ctx.opts.maxAdmitted) return;
    list.add(id);
  }
}

function resetHistory(ctx: MemberContext): void {
  ctx.historyBuf = new HistoryRing<TimedPost>(ctx.opts.seenLimit);
  ctx.historyCount = 0;
}
