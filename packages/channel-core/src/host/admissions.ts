/**
 * Admission lists of private channels (docs/protocol.md §8): kept in `HostContext.admissions`,
 * apart from the posts archive and never evicted; stored through `admit` effects; sent to the
 * members that may take the channel over (standby and successors, not everyone) in STANDBY's
 * admission field (§2.8), so a takeover admits exactly the old host's list.
 */
import { chunkAdmitted, isPrivateChannel } from '@ims/codec';
import type { ConnId } from '../types.js';
import type { ChannelState, ConnState, HostContext } from './host-context.js';

/**
 * The admission list a JOIN creating private channel `name` starts with: the known list (`id`
 * must be on it: NOT_INVITED), none (open) when only posts are known (a takeover from a host that
 * sent no list, §8), else a new list of the creator, stored (TOO_MANY_CHANNELS when
 * `maxPrivateChannels` lists are kept: none is dropped to make room). `null`: refused, answered.
 */
export function listForCreate(ctx: HostContext, cs: ConnState, name: string, id: string, postsKnown: boolean): Set<string> | undefined | null {
  const known = ctx.admissions.get(name);
  if (known !== undefined) {
    if (known.has(id)) return known;
    ctx.refuse(cs, 'NOT_INVITED', `${name} is private`, name, true);
    return null;
  }
  if (postsKnown) return undefined;
  if (ctx.admissions.size >= ctx.opts.maxPrivateChannels) {
    ctx.refuse(cs, 'TOO_MANY_CHANNELS', `this host keeps the admission lists of ${ctx.opts.maxPrivateChannels} private channels`, name, true);
    return null;
  }
  const list = new Set([id]);
  ctx.admissions.set(name, list);
  ctx.out.push({ kind: 'admit', channel: name, ids: [id] });
  return list;
}

/** INVITE on a private channel admitted `fresh` (already added to `ch.admitted`): store them, tell the informed standby and successors. */
export function admitInvited(ctx: HostContext, ch: ChannelState, fresh: readonly string[]): void {
  if (fresh.length === 0) return;
  ctx.out.push({ kind: 'admit', channel: ch.name, ids: fresh });
  shareAdded(ctx, ch, fresh);
}

/**
 * HostInput `admitted`: IDs read from the store or learned from the channel's host as a member,
 * added to the list (at most `maxAdmittedPerChannel`); new ones are stored unless they came from
 * the store. A new name beyond `maxPrivateChannels` lists is not kept (logged).
 */
export function learnAdmitted(ctx: HostContext, name: string, ids: readonly string[], stored: boolean): void {
  if (!isPrivateChannel(name)) {
    ctx.log('debug', 'admitted-ignored', { channel: name, why: 'not a private channel' });
    return;
  }
  let list = ctx.admissions.get(name);
  if (list === undefined) {
    if (ctx.admissions.size >= ctx.opts.maxPrivateChannels) {
      ctx.log('warn', 'admission-list-not-kept', { channel: name, ids: ids.length, limit: ctx.opts.maxPrivateChannels });
      return;
    }
    list = new Set();
    ctx.admissions.set(name, list);
  }
  const fresh: string[] = [];
  for (const id of ids) {
    if (list.has(id)) continue;
    if (list.size >= ctx.opts.maxAdmittedPerChannel) {
      ctx.log('warn', 'admitted-over-limit', { channel: name, left: ids.length - fresh.length, limit: ctx.opts.maxAdmittedPerChannel });
      break;
    }
    list.add(id);
    fresh.push(id);
  }
  if (fresh.length === 0) return;
  if (!stored) ctx.out.push({ kind: 'admit', channel: name, ids: fresh });
  const ch = ctx.channels.get(name);
  if (ch !== undefined && ch.admitted === list) shareAdded(ctx, ch, fresh);
}

/**
 * After a STANDBY broadcast: the whole list to each member now standby or successor that was not
 * sent it on its current connection; who stopped being one is forgotten (sent it again if it
 * comes back). O(MAX_SUCCESSORS) when nobody new.
 */
export function shareAdmissions(ctx: HostContext, ch: ChannelState): void {
  const list = ch.admitted;
  if (list === undefined) return;
  const before = ch.informed;
  const next = new Map<string, ConnId>();
  const roles = [ch.standby, ...ch.successors];
  for (const id of roles) {
    const m = ch.members.get(id);
    // The standby may be the host itself (no member can be one): it needs no list.
    if (m === undefined) continue;
    if (before?.get(id) !== m.conn) sendList(ctx, ch, m.conn, [...list]);
    next.set(id, m.conn);
  }
  ch.informed = next.size > 0 ? next : undefined;
}

/** New IDs to the informed standby and successors still on the connection they were told on. */
function shareAdded(ctx: HostContext, ch: ChannelState, ids: readonly string[]): void {
  for (const [id, conn] of ch.informed ?? []) if (ch.members.get(id)?.conn === conn) sendList(ctx, ch, conn, ids);
}

/**
 * STANDBY frames repeating the channel's current standby and successors (a plain peer reads a
 * repeated STANDBY), each with one admission field of at most MAX_ADMITTED_FIELD_BYTES (§2.8).
 */
function sendList(ctx: HostContext, ch: ChannelState, conn: ConnId, ids: readonly string[]): void {
  const { chunks, leftOut } = chunkAdmitted(ids);
  const peerId = ch.standby;
  const successors = ch.successors;
  for (const admitted of chunks) ctx.send(conn, successors.length > 0 ? { cmd: 'STANDBY', peerId, successors, admitted } : { cmd: 'STANDBY', peerId, admitted });
  if (leftOut.length > 0) ctx.log('warn', 'admitted-not-sent', { channel: ch.name, conn, ids: leftOut.length, why: 'ID longer than an admission field' });
}
