/**
 * A JOIN naming a member that is connected on another, live connection (docs/protocol.md §2.6,
 * §10). Every peer multicasts its ID, so a bare claim must not kick the real member: the older
 * connection is first checked. It gets a probe (the channel's current STANDBY, which every client
 * reads as "nothing changed"): a connection whose far end is gone answers it with a reset, and the
 * runtime reports it `closed`. The newcomer waits, its frames queued, until either the older
 * connection closes (the newcomer takes the membership over, seniority kept) or `replaceCheckMs`
 * passes with it still open (the newcomer is refused with `ID_IN_USE`). A member that discovery
 * shows alive at the newcomer's address, and that was connected from another one, moved: it is
 * replaced at once (discovery lets an ID change address only after the old one fell silent, §3.7).
 */
import type { ClientCommand, JoinCommand } from '@ims/codec';
import type { ConnId } from '../types.js';
import type { ChannelState, ConnState, HostContext } from './host-context.js';

/** Frames a waiting newcomer may send before its JOIN is decided; more are refused. */
export const MAX_QUEUED_WHILE_CHECKING = 64;

/** A JOIN waiting for the check of the member's older connection. */
export interface PendingJoin {
  readonly join: JoinCommand;
  readonly id: string;
  /** The older connection being checked. */
  readonly old: ConnId;
  readonly until: number;
  readonly queued: ClientCommand[];
}

/** What to do with a JOIN whose member ID is connected on `old`. */
export type ReplaceVerdict = 'replace' | 'check';

/** Whether the newcomer on `cs` replaces the member on `old` at once, or `old` is checked first. */
export function replaceVerdict(ctx: HostContext, cs: ConnState, old: ConnState, id: string): ReplaceVerdict {
  if (old.closing) return 'replace';
  const seen = ctx.peers.get(id);
  if (seen?.alive === true && seen.address === cs.remote.address && old.remote.address !== cs.remote.address) return 'replace';
  return 'check';
}

/** Probes `old`, parks the JOIN of `cs` and asks the runtime to wake us when the check expires. */
export function startCheck(ctx: HostContext, cs: ConnState, old: ConnState, ch: ChannelState, join: JoinCommand, id: string): void {
  const until = ctx.now() + ctx.opts.replaceCheckMs;
  ctx.pending.set(cs.conn, { join, id, old: old.conn, until, queued: [] });
  ctx.send(old.conn, ctx.standbyCommand(ch));
  ctx.log('info', 'join-checking', { conn: cs.conn, peer: id, channel: ch.name, live: old.conn, remote: cs.remote.address, oldRemote: old.remote.address, until });
  ctx.out.push({ kind: 'wake', at: until });
}

/** A frame of a connection whose JOIN waits: queued, or refused once the queue is full. Returns false when `cs` is not waiting. */
export function queueWhileChecking(ctx: HostContext, cs: ConnState, cmd: ClientCommand): boolean {
  const p = ctx.pending.get(cs.conn);
  if (p === undefined) return false;
  if (p.queued.length < MAX_QUEUED_WHILE_CHECKING) p.queued.push(cmd);
  else ctx.refuse(cs, 'ID_IN_USE', `${p.id} is being checked on another connection: frame dropped`, p.join.channel);
  return true;
}

/**
 * `closed` of a connection: a newcomer waiting on it gets its JOIN handled now (the older
 * connection failed the check), and a waiting connection that closed stops waiting.
 * `handle` replays one command through the reducer.
 */
export function onClosedWhileChecking(ctx: HostContext, conn: ConnId, handle: (cs: ConnState, cmd: ClientCommand) => void): void {
  if (ctx.pending.size === 0) return;
  ctx.pending.delete(conn);
  for (const [newConn, p] of ctx.pending) {
    if (p.old !== conn) continue;
    ctx.pending.delete(newConn);
    const cs = ctx.conns.get(newConn);
    if (cs === undefined || cs.closing) continue;
    ctx.log('info', 'join-check-passed', { conn: newConn, peer: p.id, channel: p.join.channel, closed: conn });
    handle(cs, p.join);
    for (const cmd of p.queued) if (!cs.closing) handle(cs, cmd);
  }
}

/** `tick`: refuses the newcomers whose check expired with the older connection still open; asks to be woken for the next one. */
export function expireChecks(ctx: HostContext): void {
  if (ctx.pending.size === 0) return;
  const now = ctx.now();
  let next = Infinity;
  for (const [conn, p] of ctx.pending) {
    if (p.until > now) {
      next = Math.min(next, p.until);
      continue;
    }
    ctx.pending.delete(conn);
    const cs = ctx.conns.get(conn);
    if (cs === undefined || cs.closing) continue;
    const message = `${p.id} is in ${p.join.channel} on a live connection from ${ctx.conns.get(p.old)?.remote.address ?? 'elsewhere'}; close it first`;
    ctx.refuse(cs, 'ID_IN_USE', message, p.join.channel, true);
  }
  if (next !== Infinity) ctx.out.push({ kind: 'wake', at: next });
}
