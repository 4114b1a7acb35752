/**
 * The member role: one channel membership as a client sees it, with failover (docs/protocol.md §5,
 * docs/architecture.md "Failover", "No loss, no duplicates", "Partition heal").
 */
import { isValidChannelName, isValidPeerId, type ServerCommand } from '@ims/codec';
import { convergenceWinner } from '../convergence.js';
import { HOST_DEFAULTS } from '../host/host-context.js';
import { onConnected, onHistorySay, onJoin, onStandby } from './join.js';
import { MemberContext, type ResolvedMemberOptions } from './member-context.js';
import { onLiveSay, onPost } from './posts.js';
import type { FailoverReason, LobbyHost, Member, MemberEffect, MemberInput, MemberOptions, MemberTarget } from './member-types.js';

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
      if (ctx.phase !== 'connecting') return;
      if (ctx.attempt === 'initial') ctx.emit({ event: 'error', code: 'CONNECT_FAILED', message: `cannot reach ${ctx.host?.peerId ?? '?'}${input.refused ? ' (refused)' : ''}` });
      targetFailed(ctx);
      return;
    case 'closed':
      if (ctx.phase === 'joined' && ctx.host !== undefined) {
        // Fast path (docs/protocol.md §5): closed without EXIT: try the same endpoint once; a
        // failure of that attempt (refused, or closed again before STANDBY) fails over.
        ctx.connOpen = false;
        ctx.connect(ctx.host, 'reconnect');
      } else if (ctx.phase === 'joining') {
        targetFailed(ctx);
      }
      return;
    case 'frame':
      onFrame(ctx, input.command);
      return;
    case 'post':
      onPost(ctx, input.text);
      return;
    case 'exit':
      if (ctx.phase !== 'left') ctx.leave('exit');
      return;
    case 'lobby':
      onLobby(ctx, input.hosts);
      return;
  }
}

/** Failover targets in order (docs/architecture.md "Failover"), skipping lost and tried hosts. */
function candidates(ctx: MemberContext): MemberTarget[] {
  const { selfId, selfEndpoint } = ctx.opts;
  const { standby, tried, lostHosts } = ctx;
  const list: MemberTarget[] = [];
  const usable = (id: string): boolean => !tried.has(id) && !lostHosts.has(id);
  if (standby !== undefined && standby !== ctx.move?.from && (usable(standby) || (ctx.revived.has(standby) && !tried.has(standby)))) {
    if (standby === selfId) {
      if (selfEndpoint !== undefined) list.push({ peerId: selfId, ...selfEndpoint });
    } else {
      const h = ctx.lobby.find((x) => x.id === standby && x.state !== 'disconnected');
      if (h !== undefined) list.push({ peerId: h.id, address: h.address, port: h.port });
    }
  }
  // Sorted by ID, so members that lost the same host pick the same next one.
  for (const h of ctx.announcing()) if (usable(h.id) && !list.some((t) => t.peerId === h.id)) list.push({ peerId: h.id, address: h.address, port: h.port });
  return list;
}

function tryNext(ctx: MemberContext): void {
  const next = candidates(ctx)[0];
  if (next === undefined) {
    ctx.leave('lost');
    return;
  }
  ctx.tried.add(next.peerId);
  ctx.connect(next, 'failover');
}

function failOver(ctx: MemberContext, reason: FailoverReason): void {
  const from = ctx.host?.peerId ?? '';
  if (reason !== 'partition') {
    ctx.lostHosts.add(from);
    ctx.revived.delete(from);
  }
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
  if (ctx.move?.reason === 'partition' && ctx.move.fromTarget !== undefined && ctx.host !== undefined) {
    // The partition winner cannot be reached: return to the host we left, and leave the winner
    // alone until discovery has seen it go (else every lobby update would retry it).
    ctx.lostHosts.add(ctx.host.peerId);
    const back = ctx.move.fromTarget;
    ctx.move = undefined;
    ctx.connect(back, 'back');
    return;
  }
  // A first join that fails tries where else the lobby shows the channel, like a failover.
  if (ctx.attempt === 'initial' && ctx.host !== undefined) ctx.tried.add(ctx.host.peerId);
  tryNext(ctx);
}

function onFrame(ctx: MemberContext, cmd: ServerCommand): void {
  if (ctx.phase !== 'joining' && ctx.phase !== 'joined') return;
  if (cmd.cmd === 'ERROR') {
    const colon = cmd.reason.indexOf(':');
    ctx.emit({ event: 'error', code: colon > 0 ? cmd.reason.slice(0, colon) : 'HOST_ERROR', message: cmd.reason });
  } else if (cmd.cmd === 'STANDBY') {
    if (ctx.lostHosts.has(cmd.peerId)) ctx.revived.add(cmd.peerId);
    onStandby(ctx, cmd.peerId);
  } else if (ctx.phase === 'joining') {
    // docs/architecture.md "History delimiter": SAYs between JOIN and the first STANDBY are history.
    onHistorySay(ctx, cmd);
  } else {
    onLiveSay(ctx, cmd);
  }
}

function onLobby(ctx: MemberContext, hosts: readonly LobbyHost[]): void {
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
  if (host === undefined || ctx.phase === 'idle' || ctx.phase === 'left') return;
  const current = hosts.find((x) => x.id === host.peerId);
  // Our own embedded host is never in the lobby (discovery ignores our own PDUs).
  const gone = host.peerId !== ctx.opts.selfId && (current === undefined ? wasSeen : current.state === 'disconnected');
  if (gone) {
    // Timer path (docs/protocol.md §5): three intervals without a PDU. maybeDisconnected alone: stay.
    if (ctx.attempt === 'failover' && ctx.phase !== 'joined') {
      ctx.lostHosts.add(host.peerId);
      targetFailed(ctx);
    } else failOver(ctx, 'silent');
    return;
  }
  if (ctx.phase !== 'joined') return;
  const winner = convergenceWinner([host.peerId, ...ctx.announcing().filter((h) => !ctx.lostHosts.has(h.id)).map((h) => h.id)]);
  const target = hosts.find((h) => h.id === winner);
  if (winner === host.peerId || target === undefined) return;
  // Partition heal: leave the loser cleanly, then join the winner with the usual re-send rules.
  ctx.send({ cmd: 'EXIT' });
  ctx.move = { from: host.peerId, fromTarget: host, reason: 'partition' };
  ctx.tried = new Set([host.peerId, target.id]);
  ctx.connect({ peerId: target.id, address: target.address, port: target.port }, 'failover');
}
