/**
 * The member reducer's state and the helpers its handlers share (docs/protocol.md §5). Mutable,
 * but deterministic: no I/O and no clock; time arrives with the inputs.
 */
import type { ClientCommand } from '@ims/codec';
import { compareIds } from '@ims/codec';
import { HistoryRing } from '../history-ring.js';
import type { SeenPost } from './align.js';
import { ExpectedResends } from './expected-resends.js';
import type { Post } from '../types.js';
import type { FailoverReason, LobbyHost, MemberEffect, MemberEvent, MemberTarget, MembershipSnapshot } from './member-types.js';

/** Where the membership stands. */
export type Phase = MembershipSnapshot['phase'];

/**
 * Why we are dialling: decides what a failure and a completed join mean. `back`: returning to the
 * host we left for a partition winner we could not reach.
 */
export type Attempt = 'initial' | 'reconnect' | 'failover' | 'back';

/** The move in progress: the host we left, why, and (partition only) where to return to. */
export interface Move {
  readonly from: string;
  readonly fromTarget?: MemberTarget;
  readonly reason: FailoverReason;
}

/** Resolved options of `createMember`: every limit set. */
export interface ResolvedMemberOptions {
  readonly selfId: string;
  readonly channel: string;
  readonly selfEndpoint: { readonly address: string; readonly port: number } | undefined;
  readonly seenLimit: number;
  readonly pendingLimit: number;
  readonly hostHistoryLimit: number;
  readonly lostHostExpiryMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly dialRetries: number;
  readonly maxFrameBytes: number;
  readonly maxClosesPerPost: number;
  readonly maxAdmitted: number;
}

/** A post as this member saw it, with the arrival time (ms, the runtime's clock) of its frame. */
export interface TimedPost extends SeenPost {
  readonly at: number;
}

/** The identity of a post for alignment and swallowing: (author, text). */
export const postKey = (p: SeenPost): string => `${p.author}\0${p.text}`;

/** The member's whole state plus the effect buffer of the input being handled. */
export class MemberContext {
  phase: Phase = 'idle';
  attempt: Attempt = 'initial';
  /** The host we dial or are joined to. */
  host: MemberTarget | undefined;
  /** A connection is open (or being dialled): a new `connect` must `disconnect` it first. */
  connOpen = false;
  /** The last STANDBY our host named. */
  standby: string | undefined;
  /** The successors that STANDBY named after the standby (docs/protocol.md §2.8), best first. */
  successors: readonly string[] = [];
  /**
   * A private channel's admission list as its hosts sent it to us as standby or successor
   * (docs/protocol.md §2.8, §8), at most `maxAdmitted`; `undefined` while none came.
   */
  admitted: Set<string> | undefined;
  /** The runtime's clock: the newest `at` of a `frame` or `lobby` input (ms). */
  clock = 0;
  everJoined = false;
  /** The failover or partition move in progress, until its join completes. */
  move: Move | undefined;
  /** Targets tried since the move began. */
  tried = new Set<string>();
  /** The targets of this failover were all tried once and are being tried a second time. */
  secondRound = false;
  /**
   * Out of targets while discovery still tracks hosts it shows suspect or disconnected: no dial is
   * open; the next lobby update tries again (docs/protocol.md §5.5).
   */
  waiting = false;
  lobby: readonly LobbyHost[] = [];
  /** Hosts the lobby ever showed: one dropped from it counts as gone only if it was there. */
  readonly everInLobby = new Set<string>();
  /**
   * Hosts we failed over from (or could not reach as partition winner), with the runtime time of
   * the first input after that (`undefined` until one comes): not a target again until discovery
   * has seen them go, or has shown them `alive` `lostHostExpiryMs` after that time (lost-marks.ts).
   */
  readonly lostHosts = new Map<string, number | undefined>();
  /**
   * Lost hosts that our current host has since named STANDBY: they came back (a restarted server
   * rejoins as a member within an interval, so discovery never sees it go). Usable as the standby
   * again, but still never a partition-heal winner: their old channel list may linger in the lobby.
   */
  readonly revived = new Set<string>();
  /** History SAYs of the join in progress (the newest `seenLimit`), and how many there were. */
  historyBuf: HistoryRing<TimedPost>;
  historyCount = 0;
  /** Posts shown (`history` and `say` events), the newest `seenLimit`. */
  readonly seen: HistoryRing<TimedPost>;
  /** Own posts not yet echoed, oldest first. */
  pending: string[] = [];
  /**
   * Own SAYs sent on this connection and not answered yet, oldest first: an ims host answers each
   * in order with its echo or a refusal (docs/protocol.md §6.2), so a refusal is the oldest one's.
   */
  inflight: string[] = [];
  /** Posts the host refused (FLOOD, STORE_UNAVAILABLE), to send again when `timer` comes. */
  refused: string[] = [];
  /** The post oldest in flight at the last closes of the connection, and at how many in a row (posts.ts). */
  closeStreak: { readonly text: string; readonly count: number } | undefined;
  /** What the requested wake-up is for; undefined when none is wanted. */
  wake: 'resend' | 'redial' | 'expire' | undefined;
  /** The user was told once that a host sent no STANDBY, so the channel has no standby (join.ts). */
  toldNoStandby = false;
  /** Refusals in a row (posts, or dials/JOINs of `host`): the back-off exponent. */
  retries = 0;
  readonly expected: ExpectedResends;
  out: MemberEffect[] = [];

  constructor(readonly opts: ResolvedMemberOptions) {
    this.historyBuf = new HistoryRing<TimedPost>(opts.seenLimit);
    this.seen = new HistoryRing<TimedPost>(opts.seenLimit);
    this.expected = new ExpectedResends(opts.seenLimit);
  }

  emit(event: MemberEvent): void {
    this.out.push({ kind: 'event', event });
  }

  send(command: ClientCommand): void {
    if (command.cmd === 'SAY') this.inflight.push(command.text);
    this.out.push({ kind: 'send', command });
  }

  /** Asks for `timer` after the next back-off delay (doubling from `retryBaseMs` up to `retryMaxMs`). */
  backOff(why: 'resend' | 'redial'): void {
    const { retryBaseMs, retryMaxMs } = this.opts;
    this.wake = why;
    this.out.push({ kind: 'schedule', afterMs: Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(this.retries, 30)) });
    this.retries++;
  }

  /** Dials `target` (closing any open connection first); `why` decides what its outcome means. */
  connect(target: MemberTarget, why: Attempt): void {
    this.hangUp();
    // A new connection: nothing is in flight; refused posts are still pending, sent after the join.
    this.inflight = [];
    this.refused = [];
    this.wake = undefined;
    if (target.peerId !== this.host?.peerId) this.retries = 0;
    this.host = target;
    this.attempt = why;
    this.phase = 'connecting';
    this.connOpen = true;
    this.out.push({ kind: 'connect', target });
  }

  /**
   * Closes the open connection, if any. One on which the host has our JOIN gets EXIT first, also
   * when we give up or move (docs/protocol.md §2.7): a host that sees a member vanish without EXIT
   * may keep reading a dead socket (the draft authors' server spins on it, §7.7).
   */
  hangUp(): void {
    if (!this.connOpen) return;
    if (this.phase === 'joining' || this.phase === 'joined') this.send({ cmd: 'EXIT' });
    this.out.push({ kind: 'disconnect' });
    this.connOpen = false;
  }

  /** Ends the membership: EXIT when the host has our JOIN (we chose to go, or gave up), then `left`. */
  leave(reason: 'exit' | 'lost'): void {
    this.hangUp();
    this.phase = 'left';
    this.pending = [];
    this.inflight = [];
    this.refused = [];
    this.wake = undefined;
    this.emit({ event: 'left', reason });
  }

  /** Alive hosts the lobby shows announcing this channel, smallest ID first. */
  announcing(): LobbyHost[] {
    return this.lobby.filter((h) => h.state === 'alive' && h.channels.includes(this.opts.channel)).sort((a, b) => compareIds(a.id, b.id));
  }

  /** The seen tail as channel-core posts, oldest first. */
  seenPosts(): Post[] {
    return this.seen.toArray().map((p) => ({ authorId: p.author, text: p.text, at: p.at }));
  }

  snapshot(): MembershipSnapshot {
    return { phase: this.phase, host: this.host?.peerId, standby: this.standby, pending: [...this.pending], expectedResends: this.expected.size };
  }
}
