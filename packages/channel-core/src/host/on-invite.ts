/**
 * INVITE (docs/protocol.md §3.8, §8): private channels grow their admission list; public ones are
 * announced with SERVER_INVITE. Amplification is bounded (docs/protocol.md §9): at most
 * `maxInviteIds` IDs per INVITE, only peers discovery knows are announced, and at most
 * `invitesPerSecond` announced INVITEs per connection.
 */
import type { InviteCommand } from '@ims/codec';
import { admitInvited } from './admissions.js';
import type { ConnState, HostContext } from './host-context.js';

/** Handles one INVITE frame. */
export function onInvite(ctx: HostContext, cs: ConnState, cmd: InviteCommand): void {
  const ch = cs.channel;
  if (ch === undefined) {
    ctx.refuse(cs, 'NOT_JOINED', 'INVITE before JOIN', undefined);
    return;
  }
  const ids = [...new Set(cmd.clientIds)];
  if (ids.length > ctx.opts.maxInviteIds) {
    ctx.refuse(cs, 'TOO_MANY_INVITEES', `one INVITE names at most ${ctx.opts.maxInviteIds} peers, got ${ids.length}: nobody invited`, ch.name);
    return;
  }
  if (ch.admitted !== undefined) {
    const fresh = ids.filter((id) => !ch.admitted?.has(id));
    if (ch.admitted.size + fresh.length > ctx.opts.maxAdmittedPerChannel) {
      ctx.refuse(cs, 'ADMISSION_FULL', `${ch.name} admits at most ${ctx.opts.maxAdmittedPerChannel} peers`, ch.name);
      return;
    }
    for (const id of fresh) ch.admitted.add(id);
    admitInvited(ctx, ch, fresh);
  }
  // A SERVER_INVITE for a peer nobody announced reaches no one: announcing it is pure amplification.
  const known = ch.isPrivate ? ids : ids.filter((id) => ctx.peers.has(id));
  if (known.length < ids.length) {
    ctx.log('debug', 'invite-unknown', { conn: cs.conn, peer: cs.memberId, channel: ch.name, code: 'INVITE_UNKNOWN_IDS', ignored: ids.length - known.length });
  }
  if (known.length === 0) return;
  if (!ch.isPrivate && !takeToken(ctx, cs)) {
    refuseRate(ctx, cs, ch.name);
    return;
  }
  ctx.log('info', 'invite', { conn: cs.conn, peer: cs.memberId, channel: ch.name, clientIds: known });
  ctx.out.push({ kind: 'invite', channel: ch.name, clientIds: known });
}

/**
 * Token buckets per connection (`invitesPerSecond`) and for the whole host
 * (`hostInvitesPerSecond`, so 2,048 connections cannot multiply the first), each refilled at its
 * rate and holding as many tokens at most: an announced INVITE spends one of each.
 */
function takeToken(ctx: HostContext, cs: ConnState): boolean {
  const now = ctx.now();
  const b = (cs.invites ??= { tokens: ctx.opts.invitesPerSecond, at: now, refusing: false });
  const host = (ctx.invites ??= { tokens: ctx.opts.hostInvitesPerSecond, at: now });
  refill(b, ctx.opts.invitesPerSecond, now);
  refill(host, ctx.opts.hostInvitesPerSecond, now);
  if (b.tokens < 1 || host.tokens < 1) return false;
  b.tokens -= 1;
  host.tokens -= 1;
  b.refusing = false;
  return true;
}

function refill(b: { tokens: number; at: number }, rate: number, now: number): void {
  b.tokens = Math.min(rate, b.tokens + ((now - b.at) * rate) / 1_000);
  b.at = now;
}

/** ERROR for every refused INVITE, but one warn line per episode (no log flood); later ones at debug, still counted. */
function refuseRate(ctx: HostContext, cs: ConnState, channel: string): void {
  const message = `more than ${ctx.opts.invitesPerSecond} INVITEs a second from this connection or ${ctx.opts.hostInvitesPerSecond} from all, not announced; send it again later`;
  ctx.send(cs.conn, { cmd: 'ERROR', reason: `INVITE_RATE: ${message}` });
  const first = cs.invites?.refusing !== true;
  if (cs.invites) cs.invites.refusing = true;
  ctx.log(first ? 'warn' : 'debug', 'refused', { conn: cs.conn, peer: ctx.peerOf(cs), channel, code: 'INVITE_RATE', message });
}
