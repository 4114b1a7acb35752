/**
 * The host role (draft §2.1–2.3, docs/protocol.md §2 and §5): one reducer for every channel this peer
 * hosts. Inputs and effects are plain data; see ../types.ts.
 */
import type { ClientCommand, SayCommand } from '@ims/codec';
import type { ChannelSnapshot, Host, HostEffect, HostInput, HostOptions, HostSnapshot, PeerInfo, Post } from '../types.js';
import { compareIds } from '@ims/codec';
import { canBeStandby } from '../standby.js';
import { HOST_DEFAULTS, HostContext, type ConnState } from './host-context.js';
import { onInvite } from './on-invite.js';
import { onJoin } from './on-join.js';
import { absorbResend, onMerge } from './merge.js';
import { learnAdmitted } from './admissions.js';
import { expireChecks, onClosedWhileChecking, queueWhileChecking } from './replace-check.js';

/** Creates a host reducer; `now()` (ms) stamps posts and joins and is its only clock. */
export function createHost(opts: HostOptions, now: () => number): Host {
  const resolved = { ...HOST_DEFAULTS, ...stripUndefined(opts) };
  for (const key of Object.keys(HOST_DEFAULTS) as (keyof typeof HOST_DEFAULTS)[]) {
    const v = resolved[key];
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`HostOptions.${key} must be a non-negative integer, got ${v}`);
  }
  const ctx = new HostContext(resolved, now);
  return {
    handle(input: HostInput): HostEffect[] {
      ctx.out = [];
      dispatch(ctx, input);
      return ctx.out;
    },
    snapshot: () => snapshot(ctx),
  };
}

function stripUndefined(opts: HostOptions): HostOptions {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as unknown as HostOptions;
}

function dispatch(ctx: HostContext, input: HostInput): void {
  switch (input.kind) {
    case 'opened':
      ctx.conns.set(input.conn, { conn: input.conn, remote: input.remote, channel: undefined, memberId: undefined, closing: false });
      return;
    case 'frame':
      onFrame(ctx, ctx.connState(input.conn), input.command);
      return;
    case 'bad-frame': {
      const cs = ctx.connState(input.conn);
      ctx.refuse(cs, input.error.code, input.error.message, cs.channel?.name);
      return;
    }
    case 'closed': {
      const cs = ctx.conns.get(input.conn);
      if (cs === undefined) return;
      const why = cs.closing ? 'closed' : 'connection-lost';
      // A newcomer waiting on this connection's check takes its membership over first (replace-check.ts).
      cs.closing = true;
      onClosedWhileChecking(ctx, input.conn, (waiting, cmd) => onFrame(ctx, waiting, cmd));
      ctx.leave(cs, why);
      ctx.conns.delete(input.conn);
      return;
    }
    case 'tick':
      expireChecks(ctx);
      return;
    case 'peers':
      onPeers(ctx, input.peers);
      return;
    case 'archive':
      // Only used when a JOIN creates the channel; a live channel keeps its own history.
      ctx.storeArchive(input.channel, { posts: ctx.opts.historyLimit === 0 ? [] : input.posts.slice(-ctx.opts.historyLimit) });
      return;
    case 'admitted':
      learnAdmitted(ctx, input.channel, input.ids, input.stored === true);
      return;
    case 'retract':
      retract(ctx, input.channel, input.post);
      return;
    case 'merge':
      onMerge(ctx, input.channel, input.posts);
      return;
  }
}

function onFrame(ctx: HostContext, cs: ConnState, cmd: ClientCommand): void {
  if (cs.closing) {
    ctx.log('debug', 'frame-after-close', { conn: cs.conn, peer: ctx.peerOf(cs), cmd: cmd.cmd });
    return;
  }
  if (ctx.pending.size > 0 && queueWhileChecking(ctx, cs, cmd)) return;
  switch (cmd.cmd) {
    case 'JOIN':
      onJoin(ctx, cs, cmd);
      return;
    case 'SAY':
      onSay(ctx, cs, cmd);
      return;
    case 'EXIT':
      if (cs.channel === undefined) {
        ctx.refuse(cs, 'NOT_JOINED', 'EXIT before JOIN', undefined, true);
        return;
      }
      ctx.leave(cs, 'exit');
      // Draft §2.1: the server closes the connection when the client has no channel left on it.
      ctx.close(cs, 'exit');
      return;
    case 'INVITE':
      onInvite(ctx, cs, cmd);
      return;
  }
}

/** The hot path: one Post, one `broadcast` sharing the member list, one `persist`. */
function onSay(ctx: HostContext, cs: ConnState, cmd: SayCommand): void {
  const ch = cs.channel;
  if (ch === undefined || cs.memberId === undefined) {
    ctx.refuse(cs, 'NOT_JOINED', 'SAY before JOIN', undefined);
    return;
  }
  if (ch.resends !== undefined && absorbResend(ctx, ch, cs, cmd.text)) return;
  const post: Post = { authorId: cs.memberId, text: cmd.text, at: ctx.now() };
  ch.history.push(post);
  ctx.out.push(
    { kind: 'broadcast', conns: ctx.connsOf(ch), command: { cmd: 'SAY', authorId: post.authorId, text: post.text } },
    { kind: 'persist', channel: ch.name, post },
  );
}

/** The post is the very object the `persist` effect carried; the channel may have closed meanwhile (archive). */
function retract(ctx: HostContext, channel: string, post: Post): void {
  if (ctx.channels.get(channel)?.history.remove(post) === true) return;
  const archived = ctx.archive.get(channel);
  if (archived === undefined || !archived.posts.includes(post)) return;
  ctx.archive.set(channel, { posts: archived.posts.filter((p) => p !== post) });
}

/**
 * docs/protocol.md §5.3 without flapping: a channel re-picks only when its standby stopped
 * qualifying, or when it had none (the host itself) and a member newly qualifies; its successors
 * are chosen again when a member's place in the choice order changed. A suspect keeps its roles
 * (`alive` is "not disconnected"), so suspicion alone changes nothing here.
 */
function onPeers(ctx: HostContext, list: readonly PeerInfo[]): void {
  const before = ctx.peers;
  const peers = new Map<string, PeerInfo>();
  const byAddress = new Map<string, string | null>();
  const fresh: string[] = [];
  const moved = new Set<string>();
  const smaller = new Set<string>();
  const hostId = ctx.opts.hostId;
  for (const p of list) {
    // Announcing is no role: yield only to a smaller host heard on time, so a takeover host lists
    // the channel as soon as the old one falls silent (newcomers find it), not 3 intervals later.
    if (p.alive && p.suspected !== true && p.canHost && p.channels !== undefined && compareIds(p.id, hostId) < 0) for (const c of p.channels) smaller.add(c);
    peers.set(p.id, p);
    if (p.isClient && p.alive) byAddress.set(p.address, byAddress.has(p.address) ? null : p.id);
    const old = before.get(p.id);
    if (canBeStandby(p.id, p, hostId) && !canBeStandby(p.id, old, hostId)) fresh.push(p.id);
    if (orderMoved(p, old, hostId)) moved.add(p.id);
  }
  for (const id of before.keys()) if (!peers.has(id) && canBeStandby(id, before.get(id), hostId)) moved.add(id);
  ctx.peers = peers;
  ctx.clientsByAddress = byAddress;
  yieldChannels(ctx, smaller);
  for (const ch of ctx.channels.values()) {
    if (ch.standby === hostId) {
      if (fresh.some((id) => ch.members.has(id))) ctx.repickStandby(ch, false);
    } else if (!ctx.standbyValid(ch)) {
      ctx.repickStandby(ch, false);
    } else if (moved.size > 0 && anyMember(ch.members, moved)) {
      ctx.refreshSuccessors(ch);
    }
  }
}

/** Whether a peer's place in the succession order (docs/protocol.md §5.2) may have changed. */
function orderMoved(p: PeerInfo, old: PeerInfo | undefined, hostId: string): boolean {
  const can = canBeStandby(p.id, p, hostId);
  if (can !== canBeStandby(p.id, old, hostId)) return true;
  return can && old !== undefined && (old.dedicated !== p.dedicated || old.hostedChannels !== p.hostedChannels);
}

/** Whether any of `ids` is a member, in O(min(|ids|, |members|)). */
function anyMember(members: ReadonlyMap<string, unknown>, ids: ReadonlySet<string>): boolean {
  if (ids.size <= members.size) {
    for (const id of ids) if (members.has(id)) return true;
    return false;
  }
  for (const id of members.keys()) if (ids.has(id)) return true;
  return false;
}

/** Partition heal, host side: stop (or resume) announcing channels a smaller host ID announces. */
function yieldChannels(ctx: HostContext, smaller: ReadonlySet<string>): void {
  const before = ctx.smallerHostChannels;
  ctx.smallerHostChannels = smaller;
  let changed = false;
  for (const ch of ctx.channels.values()) {
    if (ch.isPrivate || before.has(ch.name) === smaller.has(ch.name)) continue;
    changed = true;
    ctx.log('info', smaller.has(ch.name) ? 'channel-yielded' : 'channel-reclaimed', { channel: ch.name, members: ch.members.size });
  }
  if (changed) ctx.announceChannels();
}

function snapshot(ctx: HostContext): HostSnapshot {
  const channels: ChannelSnapshot[] = [];
  for (const ch of ctx.channels.values()) {
    channels.push({
      name: ch.name,
      private: ch.isPrivate,
      members: [...ch.members.values()].map((m) => ({ id: m.id, conn: m.conn, joinedAt: m.joinedAt })),
      standby: ch.standby,
      successors: ch.successors,
      historyLength: ch.history.length,
    });
  }
  return { channels, connections: ctx.conns.size, archivedChannels: ctx.archive.size, privateChannels: ctx.admissions.size };
}
