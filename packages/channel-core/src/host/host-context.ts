/**
 * The host reducer's state and the helpers its handlers share. Mutable for speed (the SAY fan-out
 * is the hot path), but deterministic: no I/O, time only through `now()`.
 */
import { MAX_SUCCESSORS, type ServerCommand } from '@ims/codec';
import type { ChannelErrorCode } from '../errors.js';
import type { HistoryRing } from '../history-ring.js';
import { betterStandby, canBeStandby, pickStandby } from '../standby.js';
import { insertSuccessor, pickSuccessors, sameSuccessors, type SuccessionView } from '../succession.js';
import { shareAdmissions } from './admissions.js';
import type { ConnId, HostEffect, HostOptions, LogLevel, PeerInfo, Post } from '../types.js';
import { CreateBudget } from './create-budget.js';
import type { PendingJoin } from './replace-check.js';

/** Defaults of `HostOptions` (documented there with `@default`): the one place these numbers are written. */
export const HOST_DEFAULTS = Object.freeze({
  historyLimit: 1_000,
  maxChannels: 10_000,
  maxMembersPerChannel: 10_000,
  maxAdmittedPerChannel: 10_000,
  maxArchivedChannels: 10_000,
  maxPrivateChannels: 10_000,
  maxInviteIds: 64,
  invitesPerSecond: 2,
  hostInvitesPerSecond: 20,
  replaceCheckMs: 2_000,
  channelCreationsPerSecond: 10,
  channelCreationBurst: 512,
  privateCreationsPerHour: 60,
  privateCreationBurst: 16,
});

/** Resolved options: every limit set. */
export type ResolvedHostOptions = Required<HostOptions>;

/** One member of a live channel. */
export interface MemberRec {
  readonly id: string;
  conn: ConnId;
  readonly joinedAt: number;
}

/** One live channel. */
export interface ChannelState {
  readonly name: string;
  readonly isPrivate: boolean;
  readonly members: Map<string, MemberRec>;
  /**
   * Member connections, shared by `broadcast` effects, so never mutated: replaced on a join, and
   * rebuilt lazily after leaves (`connsDirty`), so a mass disconnect costs O(members), not O(n²).
   */
  conns: readonly ConnId[];
  connsDirty: boolean;
  standby: string;
  /** Who takes over after the standby (docs/protocol.md §2.8, §5.5): best first, at most MAX_SUCCESSORS. */
  successors: readonly string[];
  readonly history: HistoryRing<Post>;
  /**
   * Private channels: who may join, the very set `HostContext.admissions` keeps for the name.
   * `undefined` = open (taken over from posts without a list, docs/protocol.md §8; see README).
   */
  readonly admitted: Set<string> | undefined;
  /** Standby and successors that were sent the whole admission list, with the connection it went to (admissions.ts). @default undefined (none) */
  informed?: Map<string, ConnId>;
  /** Members' re-sends of posts a merge already added, still to be swallowed (merge.ts). @default undefined (none) */
  resends?: Map<string, { n: number; readonly until: number }>;
}

/** One TCP connection the runtime told us about. */
export interface ConnState {
  readonly conn: ConnId;
  remote: { readonly address: string; readonly port: number };
  channel: ChannelState | undefined;
  memberId: string | undefined;
  /** We emitted `close`: later frames are dropped until `closed` arrives. */
  closing: boolean;
  /** Invitation announcements left in this connection's bucket, and when it was last refilled (on-invite.ts). @default undefined (full) */
  invites?: { tokens: number; at: number; refusing: boolean };
}

/** History of a channel that is not live here (posts only: admission lists live in `HostContext.admissions`). */
export interface ArchiveEntry {
  readonly posts: readonly Post[];
}

/** The host's whole state plus the effect buffer of the input being handled. */
export class HostContext {
  readonly conns = new Map<ConnId, ConnState>();
  readonly channels = new Map<string, ChannelState>();
  readonly archive = new Map<string, ArchiveEntry>();
  /**
   * Admission lists of the private channels this host knows (live, closed, stored, learned as a
   * standby; docs/protocol.md §8), apart from the posts archive: never evicted, so churn of other
   * channels cannot free a name; at most `maxPrivateChannels`.
   */
  readonly admissions = new Map<string, Set<string>>();
  peers: ReadonlyMap<string, PeerInfo> = new Map();
  /** Public channels announced by alive hosts with a smaller ID than ours: we yield those. */
  smallerHostChannels: ReadonlySet<string> = new Set();
  /** Alive client peers per address: the ID, or `null` when several share it (ambiguous). */
  clientsByAddress: ReadonlyMap<string, string | null> = new Map();
  /** JOINs waiting for the check of the member's older connection, by the newcomer's connection (replace-check.ts). */
  readonly pending = new Map<ConnId, PendingJoin>();
  /** Channel creations per remote address (create-budget.ts). */
  readonly createBudget = new CreateBudget((ctx) => ({ rate: ctx.opts.channelCreationsPerSecond / 1_000, burst: ctx.opts.channelCreationBurst }));
  /** Private channel creations per remote address: their admission lists are kept for good (create-budget.ts). */
  readonly privateCreateBudget = new CreateBudget((ctx) => ({ rate: ctx.opts.privateCreationsPerHour / 3_600_000, burst: ctx.opts.privateCreationBurst }));
  /** Invitations announced by the whole host, all connections together (on-invite.ts). @default undefined (full) */
  invites: { tokens: number; at: number } | undefined;
  out: HostEffect[] = [];

  constructor(
    readonly opts: ResolvedHostOptions,
    readonly now: () => number,
  ) {}

  /** The connection's state; a connection never `opened` is adopted with an unknown remote. */
  connState(conn: ConnId): ConnState {
    let cs = this.conns.get(conn);
    if (cs === undefined) {
      cs = { conn, remote: { address: 'unknown', port: 0 }, channel: undefined, memberId: undefined, closing: false };
      this.conns.set(conn, cs);
      this.log('debug', 'conn-adopted', { conn });
    }
    return cs;
  }

  log(level: LogLevel, event: string, fields: Record<string, unknown>): void {
    this.out.push({ kind: 'log', level, event, fields });
  }

  send(conn: ConnId, command: ServerCommand): void {
    this.out.push({ kind: 'send', conn, command });
  }

  close(cs: ConnState, reason: string): void {
    cs.closing = true;
    this.out.push({ kind: 'close', conn: cs.conn, reason });
  }

  /** How logs name the peer behind a connection. */
  peerOf(cs: ConnState): string {
    return cs.memberId ?? `${cs.remote.address}:${cs.remote.port}`;
  }

  /** Answers ERROR (and logs it); `close` also ends the connection. */
  refuse(cs: ConnState, code: ChannelErrorCode | string, message: string, channel: string | undefined, close = false): void {
    this.send(cs.conn, { cmd: 'ERROR', reason: `${code}: ${message}` });
    this.log('warn', 'refused', { conn: cs.conn, peer: this.peerOf(cs), channel, code, message });
    if (close) this.close(cs, code);
  }

  /**
   * The public channel list changed: announce it (docs/protocol.md §1: never '@' names). Channels
   * yielded to a smaller host ID are left out, so members converge on the winner.
   */
  announceChannels(): void {
    const list: string[] = [];
    for (const ch of this.channels.values()) if (!ch.isPrivate && !this.smallerHostChannels.has(ch.name)) list.push(ch.name);
    this.out.push({ kind: 'channels', public: list });
  }

  /** The channel's member connections, in join order. */
  connsOf(ch: ChannelState): readonly ConnId[] {
    if (ch.connsDirty) {
      const conns: ConnId[] = [];
      for (const m of ch.members.values()) conns.push(m.conn);
      ch.conns = conns;
      ch.connsDirty = false;
    }
    return ch.conns;
  }

  /** The channel's STANDBY, with the successors as extra fields when there are any (docs/protocol.md §2.8). */
  standbyCommand(ch: ChannelState): ServerCommand {
    return ch.successors.length > 0 ? { cmd: 'STANDBY', peerId: ch.standby, successors: ch.successors } : { cmd: 'STANDBY', peerId: ch.standby };
  }

  /** STANDBY to every member; then a private channel's admission list to a standby or successor that lacks it (docs/protocol.md §2.8). */
  broadcastStandby(ch: ChannelState): void {
    this.out.push({ kind: 'broadcast', conns: this.connsOf(ch), command: this.standbyCommand(ch) });
    if (ch.admitted !== undefined) shareAdmissions(this, ch);
  }

  /** STANDBY to one member (a joiner, when nothing changed for the others); then the admission list as broadcastStandby does. */
  sendStandby(ch: ChannelState, conn: ConnId): void {
    this.out.push({ kind: 'send', conn, command: this.standbyCommand(ch) });
    if (ch.admitted !== undefined) shareAdmissions(this, ch);
  }

  /** What the succession rules read of `ch`. */
  private succession(ch: ChannelState): SuccessionView {
    return { members: ch.members, peers: this.peers, hostId: this.opts.hostId };
  }

  /**
   * A join re-picks in O(MAX_SUCCESSORS): the newcomer replaces the standby when it is a better one
   * (the old standby becomes a successor), else it may enter the successors. The other members were
   * weighed when the standby and successors were picked (and on peer changes, see onPeers).
   */
  considerNewcomer(ch: ChannelState, rec: MemberRec): void {
    const peer = this.peers.get(rec.id);
    if (!canBeStandby(rec.id, peer, this.opts.hostId) || peer === undefined) return;
    const current = ch.members.get(ch.standby);
    const currentPeer = this.peers.get(ch.standby);
    const view = this.succession(ch);
    if (current !== undefined && currentPeer !== undefined && this.standbyValid(ch) && !betterStandby(rec, peer, current, currentPeer)) {
      ch.successors = insertSuccessor(view, ch.successors, rec.id) ?? ch.successors;
      return;
    }
    this.log('info', 'standby', { channel: ch.name, from: ch.standby, to: rec.id });
    const old = ch.standby;
    ch.standby = rec.id;
    ch.successors = insertSuccessor(view, ch.successors, old) ?? ch.successors;
  }

  /** Re-picks the standby and successors; announces them to all members when they changed (or when `force`). */
  repickStandby(ch: ChannelState, force: boolean): void {
    // One pass for both in the usual case: the best members by the order of §5.2, one more than
    // the successors; the standby is the first of them not suspected (docs/protocol.md §5.3).
    const view = this.succession(ch);
    const ranked = pickSuccessors(view, this.opts.hostId, MAX_SUCCESSORS + 1);
    const first = ranked.find((id) => this.peers.get(id)?.suspected !== true);
    const next = first ?? (ranked.length <= MAX_SUCCESSORS ? ranked[0] : undefined) ?? pickStandby(ch.members.values(), this.peers, this.opts.hostId);
    const successors = ranked.includes(next) ? ranked.filter((id) => id !== next).slice(0, MAX_SUCCESSORS) : pickSuccessors(view, next);
    if (next === ch.standby && sameSuccessors(successors, ch.successors) && !force) return;
    if (next !== ch.standby) this.log('info', 'standby', { channel: ch.name, from: ch.standby, to: next });
    ch.standby = next;
    ch.successors = successors;
    this.broadcastStandby(ch);
  }

  /**
   * The successors only are chosen again (a successor left or changed; the standby stays: no
   * flapping), O(members); announced to all members when they changed.
   */
  refreshSuccessors(ch: ChannelState): void {
    const successors = pickSuccessors(this.succession(ch), ch.standby);
    if (sameSuccessors(successors, ch.successors)) return;
    ch.successors = successors;
    this.broadcastStandby(ch);
  }

  /** Whether the channel's current standby is still a valid one. */
  standbyValid(ch: ChannelState): boolean {
    return ch.members.has(ch.standby) && canBeStandby(ch.standby, this.peers.get(ch.standby), this.opts.hostId);
  }

  /** Removes the connection's membership; closes the channel when it was the last member. */
  leave(cs: ConnState, why: string): void {
    const ch = cs.channel;
    const id = cs.memberId;
    cs.channel = undefined;
    if (ch === undefined || id === undefined) return;
    const rec = ch.members.get(id);
    if (rec?.conn === cs.conn) ch.members.delete(id);
    ch.connsDirty = true;
    this.log('info', 'left', { conn: cs.conn, peer: id, channel: ch.name, why });
    if (ch.members.size === 0) {
      this.closeChannel(ch);
      return;
    }
    // Draft §2.3.1: a leaving standby must be replaced and the new one published.
    if (ch.standby === id) this.repickStandby(ch, false);
    else if (ch.successors.includes(id)) this.refreshSuccessors(ch);
  }

  /** docs/architecture.md "Empty channel": it closes, its history stays archived for a later JOIN. */
  private closeChannel(ch: ChannelState): void {
    this.channels.delete(ch.name);
    const posts = ch.history.toArray();
    // A private channel's admission list stays in `admissions`: the name cannot be grabbed (§8).
    if (posts.length > 0) this.storeArchive(ch.name, { posts });
    this.log('info', 'channel-closed', { channel: ch.name, history: posts.length });
    if (!ch.isPrivate) this.announceChannels();
  }

  /** Keeps at most `maxArchivedChannels` archives, dropping the least recently stored. */
  storeArchive(name: string, entry: ArchiveEntry): void {
    this.archive.delete(name);
    this.archive.set(name, entry);
    while (this.archive.size > this.opts.maxArchivedChannels) {
      const oldest = this.archive.keys().next();
      if (oldest.done === true) break;
      this.archive.delete(oldest.value);
    }
  }
}
