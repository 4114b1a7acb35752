/**
 * The member role: one channel membership as a client sees it, with failover (docs/protocol.md §5,
 * docs/architecture.md "Failover", "No loss, no duplicates", "Partition heal").
 */
import { DEFAULT_MAX_FRAME_BYTES, isValidChannelName, isValidPeerId, type ServerCommand } from '@ims/codec';
import { HOST_DEFAULTS } from '../host/host-context.js';
import { followLiveness, noteStandbyNamed, onClosed, onConnectFailed, onLostTimer } from './failover.js';
import { onConnected, onHistorySay, onJoin, onNoStandby, onStandby } from './join.js';
import { MemberContext, type ResolvedMemberOptions } from './member-context.js';
import { convergeOnWinner } from './partition.js';
import { noteClosedWithPost, onLiveSay, onPost, onPostRefused, onPostRejected } from './posts.js';
import { onJoinRefused, onTimer, retryDial } from './retry.js';
import type { Member, MemberEffect, MemberInput, MemberOptions } from './member-types.js';

/** Defaults of `MemberOptions` (documented there with `@default`). */
const MEMBER_DEFAULTS = { seenLimit: 1_000, pendingLimit: 1_000, hostHistoryLimit: HOST_DEFAULTS.historyLimit, lostHostExpiryMs: 9_000, retryBaseMs: 250, retryMaxMs: 5_000, dialRetries: 2, maxFrameBytes: DEFAULT_MAX_FRAME_BYTES, maxClosesPerPost: 3, maxAdmitted: HOST_DEFAULTS.maxAdmittedPerChannel } as const;

/** Creates a member reducer for one channel. It reads no clock: timing comes from its inputs. */
export function createMember(opts: MemberOptions): Member {
  const ctx = new MemberContext(resolve(opts));
  return {
    handle(input: MemberInput): MemberEffect[] {
      ctx.out = [];
      dispatch(ctx, input);
      return ctx.out;
    },
    snapshot: () => ctx.snapshot(),
    seenPosts: () => ctx.seenPosts(),
    pendingCount: () => ctx.pending.length,
    admitted: () => ctx.admitted,
  };
}

function resolve(opts: MemberOptions): ResolvedMemberOptions {
  const seenLimit = opts.seenLimit ?? MEMBER_DEFAULTS.seenLimit;
  const pendingLimit = opts.pendingLimit ?? MEMBER_DEFAULTS.pendingLimit;
  const hostHistoryLimit = opts.hostHistoryLimit ?? MEMBER_DEFAULTS.hostHistoryLimit;
  const retryBaseMs = opts.retryBaseMs ?? MEMBER_DEFAULTS.retryBaseMs;
  const retryMaxMs = opts.retryMaxMs ?? MEMBER_DEFAULTS.retryMaxMs;
  const dialRetries = opts.dialRetries ?? MEMBER_DEFAULTS.dialRetries;
  const lostHostExpiryMs = opts.lostHostExpiryMs ?? MEMBER_DEFAULTS.lostHostExpiryMs;
  const maxFrameBytes = opts.maxFrameBytes ?? MEMBER_DEFAULTS.maxFrameBytes;
  const maxClosesPerPost = opts.maxClosesPerPost ?? MEMBER_DEFAULTS.maxClosesPerPost;
  const maxAdmitted = opts.maxAdmitted ?? MEMBER_DEFAULTS.maxAdmitted;
  const limits = { seenLimit, pendingLimit, hostHistoryLimit, retryBaseMs, retryMaxMs, dialRetries, lostHostExpiryMs, maxFrameBytes, maxClosesPerPost, maxAdmitted };
  for (const [k, v] of Object.entries(limits)) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`MemberOptions.${k} must be a non-negative integer, got ${v}`);
  }
  const { selfId, channel, selfEndpoint } = opts;
  if (!isValidPeerId(selfId)) throw new RangeError(`MemberOptions.selfId is not a peer ID: ${JSON.stringify(selfId)}`);
  if (!isValidChannelName(channel)) throw new RangeError(`MemberOptions.channel is not a channel name: ${JSON.stringify(channel)}`);
  if (maxClosesPerPost < 1) throw new RangeError(`MemberOptions.maxClosesPerPost must be at least 1, got ${maxClosesPerPost}`);
  if (retryMaxMs < retryBaseMs) throw new RangeError(`MemberOptions.retryMaxMs (${retryMaxMs}) is below retryBaseMs (${retryBaseMs})`);
  return { selfId, channel, selfEndpoint, ...limits };
}

function dispatch(ctx: MemberContext, input: MemberInput): void {
  switch (input.kind) {
    case 'join':
      onJoin(ctx, input.target);
      return;
    case 'connected':
      onConnected(ctx);
      return;
    case 'connect-failed':
      if (!retryDial(ctx, input.refused)) onConnectFailed(ctx, input.refused);
      return;
    case 'closed':
      if (ctx.phase === 'joined') noteClosedWithPost(ctx);
      onClosed(ctx);
      return;
    case 'frame':
      onFrame(ctx, input.command, input.at);
      return;
    case 'post':
      onPost(ctx, input.text);
      return;
    case 'exit':
      if (ctx.phase !== 'left') ctx.leave('exit');
      return;
    case 'lobby':
      // A host gone fails over (timer path); otherwise a smaller host ID may win the channel.
      if (!followLiveness(ctx, input.hosts, input.at)) convergeOnWinner(ctx);
      return;
    case 'timer':
      if (!onLostTimer(ctx, input.at)) onTimer(ctx);
      return;
    case 'no-standby':
      onNoStandby(ctx, input.at);
      if (ctx.phase === 'joined' && ctx.wake !== 'resend') ctx.retries = 0;
      return;
  }
}

function onFrame(ctx: MemberContext, cmd: ServerCommand, at: number): void {
  if (ctx.phase !== 'joining' && ctx.phase !== 'joined') return;
  if (cmd.cmd === 'ERROR') {
    const colon = cmd.reason.indexOf(':');
    const code = colon > 0 ? cmd.reason.slice(0, colon) : 'HOST_ERROR';
    // A refusal tried again later is shown once per back-off, not for every post of a burst.
    const quiet = ctx.wake === 'resend' || (ctx.phase === 'joining' && ctx.retries > 0);
    // A post refused for good is dropped with its own error event: the host's ERROR is shown once.
    if (onPostRejected(ctx, code, cmd.reason)) return;
    if ((!onPostRefused(ctx, code) && !onJoinRefused(ctx, code)) || !quiet) ctx.emit({ event: 'error', code, message: cmd.reason });
  } else if (cmd.cmd === 'STANDBY') {
    noteStandbyNamed(ctx, cmd.peerId);
    onStandby(ctx, cmd, at);
    if (ctx.phase === 'joined' && ctx.wake !== 'resend') ctx.retries = 0;
  } else if (ctx.phase === 'joining') {
    // docs/architecture.md "History delimiter": SAYs between JOIN and the first STANDBY are history.
    onHistorySay(ctx, cmd, at);
  } else {
    onLiveSay(ctx, cmd, at);
  }
}
