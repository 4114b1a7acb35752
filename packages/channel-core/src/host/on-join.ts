/**
 * JOIN (draft §2.1, docs/protocol.md §2 and §5, docs/architecture.md): create or join, history to the
 * new member only, then STANDBY to everyone.
 */
import { isPrivateChannel, isValidChannelName, type JoinCommand } from '@ims/codec';
import { HistoryRing } from '../history-ring.js';
import type { Post } from '../types.js';
import { mayCreate } from './create-budget.js';
import { listForCreate } from './admissions.js';
import type { ChannelState, ConnState, HostContext, MemberRec } from './host-context.js';
import { replaceVerdict, startCheck } from './replace-check.js';

/** Handles one JOIN frame. */
export function onJoin(ctx: HostContext, cs: ConnState, cmd: JoinCommand): void {
  const name = cmd.channel;
  // The decoder already checks names; a runtime that feeds commands from elsewhere may not.
  if (!isValidChannelName(name)) {
    ctx.refuse(cs, 'BAD_CHANNEL_NAME', `not a channel name (docs/protocol.md §1): ${JSON.stringify(name.slice(0, 64))}`, undefined);
    return;
  }
  const isPrivate = isPrivateChannel(name);
  if (cs.channel !== undefined) {
    // Draft §2.1: a repeated JOIN of the same client to the same channel is ignored.
    if (cs.channel.name === name) ctx.log('debug', 'join-repeated', { conn: cs.conn, peer: cs.memberId, channel: name });
    else ctx.refuse(cs, 'ONE_CHANNEL_PER_CONNECTION', `this connection is in ${cs.channel.name}`, name);
    return;
  }
  const id = identify(ctx, cs, cmd.clientId, name);
  let ch = ctx.channels.get(name);
  let created = false;
  if (ch === undefined) {
    if (!mayCreate(ctx, cs, name, isPrivate)) return;
    ch = create(ctx, cs, name, isPrivate, id);
    if (ch === undefined) return;
    created = true;
  } else if (!admit(ctx, cs, ch, id, cmd)) {
    return;
  }
  const { rec, fresh } = addMember(ctx, cs, ch, id);
  const joinedAt = rec.joinedAt;
  cs.memberId = id;
  cs.channel = ch;
  if (created && !isPrivate) ctx.announceChannels();
  ctx.log('info', 'joined', { conn: cs.conn, peer: id, channel: name, created, joinedAt });
  // docs/architecture.md "History delimiter": history as SAY frames, then STANDBY. Each carries
  // its accept time (docs/protocol.md §2.8), so a member or a pulling host can order two copies.
  if (ch.history.length > 0) ctx.out.push({ kind: 'replay', conn: cs.conn, posts: ch.history.toArray() });
  const [standby, successors] = [ch.standby, ch.successors];
  if (fresh) ctx.considerNewcomer(ch, rec);
  // Draft §2.1: STANDBY after every JOIN. The joiner always gets it, after its history (the
  // delimiter, docs/protocol.md §2.7); the other members when the standby or successors changed
  // (docs/protocol.md §5.3). A broadcast to every member per JOIN made a channel's assembly
  // O(members²): 5,000 members joining one by one cost the host ~109 s of CPU, and every rejoin
  // storm after a failover paid the same.
  if (ch.standby !== standby || ch.successors !== successors) ctx.broadcastStandby(ch);
  else ctx.sendStandby(ch, cs.conn);
}

/**
 * docs/protocol.md §2.4: JOIN's clientId, else the one alive client peer at that address, else
 * ip:port. The address rule is a guess, so it never names a member already connected to this
 * channel on another connection: a client without clientId beside an ims client on one machine
 * (another implementation's) is someone else, not a second connection of that one.
 */
function identify(ctx: HostContext, cs: ConnState, clientId: string | undefined, channel: string): string {
  if (clientId !== undefined && clientId !== '') return clientId;
  const seen = ctx.clientsByAddress.get(cs.remote.address);
  if (typeof seen === 'string' && !connectedElsewhere(ctx, channel, seen, cs)) return seen;
  return `${cs.remote.address}:${cs.remote.port}`;
}

function connectedElsewhere(ctx: HostContext, channel: string, id: string, cs: ConnState): boolean {
  const conn = ctx.channels.get(channel)?.members.get(id)?.conn;
  if (conn === undefined || conn === cs.conn) return false;
  return ctx.conns.get(conn)?.closing === false;
}

function create(ctx: HostContext, cs: ConnState, name: string, isPrivate: boolean, id: string): ChannelState | undefined {
  if (ctx.channels.size >= ctx.opts.maxChannels) {
    ctx.refuse(cs, 'TOO_MANY_CHANNELS', `this host serves ${ctx.opts.maxChannels} channels`, name, true);
    return undefined;
  }
  const archived = ctx.archive.get(name);
  // docs/protocol.md §8: a known admission list (kept here, stored, or learned as standby) decides.
  const admitted = isPrivate ? listForCreate(ctx, cs, name, id, archived !== undefined) : undefined;
  if (admitted === null) return undefined;
  // Takeover (docs/protocol.md §5): a channel we hold history for restarts with it under the same name.
  const history = new HistoryRing<Post>(ctx.opts.historyLimit);
  for (const post of archived?.posts ?? []) history.push(post);
  ctx.archive.delete(name);
  const ch: ChannelState = { name, isPrivate, members: new Map(), conns: [], connsDirty: false, standby: ctx.opts.hostId, successors: [], history, admitted };
  ctx.channels.set(name, ch);
  ctx.log('info', 'channel-created', { channel: name, history: history.length, takeover: archived !== undefined });
  return ch;
}

function admit(ctx: HostContext, cs: ConnState, ch: ChannelState, id: string, cmd: JoinCommand): boolean {
  const existing = ch.members.get(id);
  if (existing !== undefined) {
    // The same ID on a newer connection: the client reconnected before we saw the old one close,
    // or someone claims an ID it heard (replace-check.ts). The older connection is checked first
    // unless it is closing or discovery shows the member moved to the newcomer's address.
    const old = ctx.conns.get(existing.conn);
    if (old !== undefined) {
      if (replaceVerdict(ctx, cs, old, id) === 'check') {
        startCheck(ctx, cs, old, ch, cmd, id);
        return false;
      }
      old.channel = undefined;
      if (!old.closing) ctx.refuse(old, 'REPLACED', `${id} rejoined ${ch.name} on another connection`, ch.name, true);
    }
    return true;
  }
  if (ch.members.size >= ctx.opts.maxMembersPerChannel) {
    ctx.refuse(cs, 'CHANNEL_FULL', `${ch.name} has ${ctx.opts.maxMembersPerChannel} members`, ch.name, true);
    return false;
  }
  if (ch.admitted !== undefined && !ch.admitted.has(id)) {
    ctx.refuse(cs, 'NOT_INVITED', `${ch.name} is private`, ch.name, true);
    return false;
  }
  return true;
}

function addMember(ctx: HostContext, cs: ConnState, ch: ChannelState, id: string): { rec: MemberRec; fresh: boolean } {
  const existing = ch.members.get(id);
  if (existing !== undefined) {
    // Keeps its seniority: the standby choice must not change because a member reconnected.
    existing.conn = cs.conn;
    ch.connsDirty = true;
    return { rec: existing, fresh: false };
  }
  const rec: MemberRec = { id, conn: cs.conn, joinedAt: ctx.now() };
  // The copy comes before the insertion: a rebuild after it would list the newcomer twice.
  ch.conns = [...ctx.connsOf(ch), cs.conn];
  ch.members.set(id, rec);
  return { rec, fresh: true };
}
