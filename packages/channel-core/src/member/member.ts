/**
 * The member role: one channel membership as a client sees it, with failover (docs/protocol.md §5,
 * docs/architecture.md "Failover", "No loss, no duplicates", "Partition heal").
 */
import { isValidChannelName, isValidPeerId, type ServerCommand } from '@ims/codec';
import { HOST_DEFAULTS } from '../host/host-context.js';
import { followLiveness, noteStandbyNamed, onClosed, onConnectFailed } from './failover.js';
import { onConnected, onHistorySay, onJoin, onStandby } from './join.js';
import { MemberContext, type ResolvedMemberOptions } from './member-context.js';
import { convergeOnWinner } from './partition.js';
import { onLiveSay, onPost } from './posts.js';
import type { Member, MemberEffect, MemberInput, MemberOptions } from './member-types.js';

/** Defaults of `MemberOptions` (documented there with `@default`). */
const MEMBER_DEFAULTS = { seenLimit: 1_000, pendingLimit: 1_000, hostHistoryLimit: HOST_DEFAULTS.historyLimit } as const;

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
  };
}

function resolve(opts: MemberOptions): ResolvedMemberOptions {
  const seenLimit = opts.seenLimit ?? MEMBER_DEFAULTS.seenLimit;
  const pendingLimit = opts.pendingLimit ?? MEMBER_DEFAULTS.pendingLimit;
  const hostHistoryLimit = opts.hostHistoryLimit ?? MEMBER_DEFAULTS.hostHistoryLimit;
  for (const [k, v] of [['seenLimit', seenLimit], ['pendingLimit', pendingLimit], ['hostHistoryLimit', hostHistoryLimit]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`MemberOptions.${k} must be a non-negative integer, got ${v}`);
  }
  const { selfId, channel, selfEndpoint } = opts;
  if (!isValidPeerId(selfId)) throw new RangeError(`MemberOptions.selfId is not a peer ID: ${JSON.stringify(selfId)}`);
  if (!isValidChannelName(channel)) throw new RangeError(`MemberOptions.channel is not a channel name: ${JSON.stringify(channel)}`);
  return { selfId, channel, selfEndpoint, seenLimit, pendingLimit, hostHistoryLimit };
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
      onConnectFailed(ctx, input.refused);
      return;
    case 'closed':
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
      if (!followLiveness(ctx, input.hosts)) convergeOnWinner(ctx);
      return;
  }
}

function onFrame(ctx: MemberContext, cmd: ServerCommand, at: number): void {
  if (ctx.phase !== 'joining' && ctx.phase !== 'joined') return;
  if (cmd.cmd === 'ERROR') {
    const colon = cmd.reason.indexOf(':');
    ctx.emit({ event: 'error', code: colon > 0 ? cmd.reason.slice(0, colon) : 'HOST_ERROR', message: cmd.reason });
  } else if (cmd.cmd === 'STANDBY') {
    noteStandbyNamed(ctx, cmd.peerId);
    onStandby(ctx, cmd.peerId);
  } else if (ctx.phase === 'joining') {
    // docs/architecture.md "History delimiter": SAYs between JOIN and the first STANDBY are history.
    onHistorySay(ctx, cmd, at);
  } else {
    onLiveSay(ctx, cmd, at);
  }
}
