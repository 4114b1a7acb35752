/**
 * A member session: one channel followed from the client side over one connection at a time.
 * channel-core's pure member reducer decides (join, history, failover target, re-sends); this file
 * only executes its effects: dial through the transport, write frames, close, and publish events.
 * It keeps no copy of the reducer's state: the archive is `member.seenPosts()`. docs/protocol.md §5.
 */
import { DEFAULT_FLOOD_BURST, DEFAULT_FLOOD_RATE, type ClientCommand, type ServerCommand } from '@ims/codec';
import { asyncScheduler, Subject, Subscription, type Observable, type SchedulerLike } from 'rxjs';
import type { Logger } from '@ims/app-kit';
import { tcpTransport, type CloseInfo, type Connection, type Transport } from '@ims/transport';
import { dialHost, isDialFailure } from './host-dial.js';
import { Link, resolveStandbyWait, type LinkOwner, type StandbyWait } from './member-link.js';
import type { OutboxPace } from './outbox.js';
import { HistoryExtras } from './history-extras.js';
import type { LobbyHost, Member, MemberEffect, MemberEvent, MemberInput, MemberTarget, Post } from '@ims/channel-core';

/** Options of {@link startMemberSession}. */
export interface MemberSessionOptions {
  /** This peer's ID, sent as JOIN's clientId (docs/protocol.md §2). */
  readonly selfId: string;
  /** The channel to follow. */
  readonly channel: string;
  /** Where to JOIN first. */
  readonly target: MemberTarget;
  /**
   * False when `target` is an explicit `host:port` from the user, its `peerId` only a placeholder:
   * dials to it then accept any proven network member. Every other dial (to a target discovery,
   * STANDBY or the lobby named) expects that peer ID, which secure mode makes the remote prove
   * (host-dial.ts; PEER_MISMATCH fails the target, docs/protocol.md §5.5). @default true
   */
  readonly targetIdKnown?: boolean;
  /** Builds the member reducer: channel-core's `createMember(options)` (its `seenLimit` bounds the archive). */
  readonly createMember: () => Member;
  /** Discovery's hosting peers, on every lobby change (fallback targets and the host's liveness). @default none */
  readonly hosts$?: Observable<readonly LobbyHost[]>;
  /**
   * Receives the reducer's seen tail (`seenPosts()`, replacing the previous one) once per burst, so
   * the embedded host serves it after a takeover; and, when it grew, the private channel's admission
   * list the host sent this peer as standby or successor (`Member.admitted()`, docs/protocol.md §2.8),
   * so that takeover admits exactly that list (§8). @default none
   */
  readonly archive?: (channel: string, posts: readonly Post[], admitted?: ReadonlySet<string>) => void;
  /** Largest frame accepted from the host. @default 65_536 */
  readonly maxFrameBytes?: number;
  /** ms a dial may take before it counts as failed (not refused). @default 2_000 */
  readonly connectTimeoutMs?: number;
  /**
   * ms from connect to the host's STANDBY while the host sends nothing at all (an ims host ends
   * every JOIN with STANDBY, the draft authors' server never does, docs/protocol.md §7.7); then the
   * join completes without a standby, on the same connection. @default 10_000
   */
  readonly joinTimeoutMs?: number;
  /**
   * ms without a frame after a SAY that came before any STANDBY: the history of a host that sends
   * no STANDBY is over, and the join completes without one (docs/protocol.md §7.7). An ims host
   * writes its history and STANDBY at once. @default 1_500
   */
  readonly historyQuietMs?: number;
  /** ms `exit()` waits after `left` for the connection to close, so the EXIT leaves before a process exits (docs/protocol.md §2.7). @default 1_000 */
  readonly exitWaitMs?: number;
  /** Clock of the events' `ts`, the frames' arrival time and the JOIN timeout; tests pass the memory transport's. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** The network to dial through: tests pass `memoryTransport({ scheduler })` and the same scheduler. @default tcpTransport */
  readonly transport?: Transport;
  /**
   * Frames a second sent to the host at most, sustained: an ims host drops frames beyond 100 a
   * second (docs/protocol.md §9), so 80 % of it leaves room for jitter on the way; more wait in the
   * outbox. @default 80
   */
  readonly sendRate?: number;
  /** Frames sent at once after a quiet spell: half the host's burst of 200 (docs/protocol.md §9). @default 100 */
  readonly sendBurst?: number;
  /** Random numbers in [0, 1) for the jitter of back-offs (a retry waits ½–1 × what the reducer asked). @default Math.random */
  readonly random?: () => number;
  /** Logger. @default none */
  readonly logger?: Logger;
}

/** Defaults of the pacing options (documented there). */
const PACE_DEFAULTS = { rate: DEFAULT_FLOOD_RATE * 0.8, burst: DEFAULT_FLOOD_BURST / 2 } as const;

/**
 * A member reducer event stamped with the scheduler's time (ms). A `history` event also carries
 * what its SAY's extra fields said (docs/protocol.md §2.8), when the host sent them: `postedAt`,
 * when the host accepted the post (ms since the epoch), and `authorNick`, the author's nick as the
 * host knew it.
 */
export type TimedMemberEvent = MemberEvent & { readonly ts: number; readonly postedAt?: number; readonly authorNick?: string };


/** A running member session. */
export interface MemberSession {
  /** Everything the member reports, in order, with the local time in `ts`; completes after the `left` event. */
  readonly events$: Observable<TimedMemberEvent>;
  /** Posts text; the reducer keeps it pending until echoed, and re-sends it after a failover. */
  post(text: string): void;
  /** Sends INVITE for these peer IDs on the channel's connection. */
  invite(peerIds: readonly string[]): void;
  /** Leaves: EXIT then close; resolves when the session has ended and its connection closed (at most `exitWaitMs` later). */
  exit(): Promise<void>;
  /** Own posts not yet echoed by a host (the reducer's count; 0 after `left`, refused posts never count). */
  pendingCount(): number;
}

/** Starts following a channel; the first JOIN goes out as soon as the dial succeeds. */
export function startMemberSession(options: MemberSessionOptions): MemberSession {
  return new Session(options);
}

class Session implements MemberSession, LinkOwner {
  readonly events$: Observable<TimedMemberEvent>;
  readonly scheduler: SchedulerLike;
  readonly afterFlush: (fn: () => void) => void;
  readonly pace: OutboxPace;
  private readonly standbyWait: StandbyWait;
  readonly log: Logger | undefined;
  private readonly transport: Transport;
  /** The wake-up the reducer asked for last (`schedule`), until it fires or is replaced. */
  private wake: Subscription | undefined;
  private readonly events = new Subject<TimedMemberEvent>();
  private readonly member: Member;
  private archiveQueued = false;
  /** The extra fields of the history SAYs of the current connection (docs/protocol.md §2.8). */
  private readonly extras = new HistoryExtras();
  /** Size of the admission list last handed to `archive` (a list only grows). */
  private admittedArchived = 0;
  private readonly subs = new Subscription();
  private link: Link | undefined;
  /** The close of the connection dropped last (its EXIT goes out first): `exit()` waits for it. */
  private dropped = Promise.resolve();
  /** Generation of the current dial: a dial that resolves after the session moved on is dropped. */
  private gen = 0;
  private ended = false;
  private readonly endedPromise: Promise<void>;
  private resolveEnded: () => void = () => undefined;

  constructor(private readonly opts: MemberSessionOptions) {
    this.scheduler = opts.scheduler ?? asyncScheduler;
    this.transport = opts.transport ?? tcpTransport;
    this.afterFlush = (fn) => this.transport.afterFlush(fn);
    this.pace = { rate: opts.sendRate ?? PACE_DEFAULTS.rate, burst: opts.sendBurst ?? PACE_DEFAULTS.burst, scheduler: this.scheduler };
    this.standbyWait = resolveStandbyWait(opts.joinTimeoutMs, opts.historyQuietMs);
    if (!(this.pace.rate > 0) || !(this.pace.burst >= 1)) throw new RangeError(`MemberSessionOptions: sendRate must be > 0 and sendBurst >= 1, got ${this.pace.rate} and ${this.pace.burst}`);
    this.log = opts.logger?.child({ channel: opts.channel });
    this.member = opts.createMember();
    this.events$ = this.events.asObservable();
    this.endedPromise = new Promise((resolve) => (this.resolveEnded = resolve));
    if (opts.hosts$) {
      this.subs.add(opts.hosts$.subscribe((hosts) => this.run({ kind: 'lobby', hosts, at: this.scheduler.now() })));
    }
    // Start on the next turn so the caller can subscribe to events$ before `joined`.
    queueMicrotask(() => this.run({ kind: 'join', target: opts.target }));
  }

  post(text: string): void {
    this.run({ kind: 'post', text });
  }

  invite(peerIds: readonly string[]): void {
    // INVITE is stateless for the member: it goes straight to the current host (docs/protocol.md §2).
    if (peerIds.length > 0) this.write({ cmd: 'INVITE', clientIds: [...peerIds] });
  }

  exit(): Promise<void> {
    this.run({ kind: 'exit' });
    return this.endedPromise;
  }

  pendingCount(): number {
    return this.member.pendingCount();
  }

  isCurrent(link: Link): boolean {
    return link === this.link && !this.ended;
  }

  frame(command: ServerCommand, at: number): void {
    this.run({ kind: 'frame', command, at });
  }

  closed(info: CloseInfo): void {
    this.link = undefined;
    this.log?.info('member.closed', { reason: info.reason });
    this.run({ kind: 'closed' });
  }

  noStandby(): void {
    this.log?.info('member.no_standby', {});
    this.run({ kind: 'no-standby', at: this.scheduler.now() });
  }

  private run(input: MemberInput): void {
    if (this.ended) return;
    if (input.kind === 'frame' && input.command.cmd === 'SAY' && input.command.at !== undefined) this.extras.keep(input.command);
    for (const effect of this.member.handle(input)) this.execute(effect);
    if (input.kind === 'frame' && input.command.cmd === 'STANDBY' && input.command.admitted !== undefined) this.queueArchive();
  }

  private execute(effect: MemberEffect): void {
    switch (effect.kind) {
      case 'connect':
        this.extras.clear();
        this.dial(effect.target);
        return;
      case 'send':
        this.write(effect.command);
        return;
      case 'disconnect':
        this.dropConnection('disconnect');
        return;
      case 'event':
        this.publish(effect.event);
        return;
      case 'schedule':
        this.schedule(effect.afterMs);
        return;
    }
  }

  /** The reducer's back-off, with jitter (½–1 ×) so members refused together come back spread out. */
  private schedule(afterMs: number): void {
    this.wake?.unsubscribe();
    const delay = Math.round(afterMs * (0.5 + 0.5 * (this.opts.random ?? Math.random)()));
    this.log?.debug('member.retry_in', { ms: delay });
    this.wake = this.scheduler.schedule(() => {
      this.wake = undefined;
      this.run({ kind: 'timer', at: this.scheduler.now() });
    }, delay);
  }

  /** Each command is encoded whole and written alone (outbox.ts: the Java server's reads). */
  private write(command: ClientCommand): void {
    if (this.link) this.link.send(command);
    else this.log?.debug('member.send_dropped', { cmd: command.cmd });
  }

  private publish(event: MemberEvent): void {
    if (event.event === 'say' || event.event === 'history') this.queueArchive();
    const extras = event.event === 'history' ? this.extras.take(event.author, event.text) : {};
    this.events.next({ ...event, ...extras, ts: this.scheduler.now() });
    if (event.event === 'left') this.end();
  }

  /**
   * docs/architecture.md "Takeover": the embedded host archives what its member sessions saw, so
   * when this peer is standby and members JOIN it, it serves the history. The host replaces the
   * archive on each call, so it gets the reducer's whole seen tail, once per burst (a history
   * replay is one burst): in a microtask after the first post of the burst.
   */
  private queueArchive(): void {
    const archive = this.opts.archive;
    if (!archive || this.archiveQueued) return;
    this.archiveQueued = true;
    queueMicrotask(() => {
      this.archiveQueued = false;
      const admitted = this.member.admitted();
      const grew = admitted !== undefined && admitted.size !== this.admittedArchived;
      this.admittedArchived = admitted?.size ?? 0;
      archive(this.opts.channel, this.member.seenPosts(), grew ? admitted : undefined);
    });
  }

  private dial(target: MemberTarget): void {
    this.dropConnection('redial');
    const gen = this.gen;
    const o = this.opts;
    const placeholder = o.targetIdKnown === false && target.peerId === o.target.peerId && target.address === o.target.address && target.port === o.target.port;
    const expectPeerId = placeholder ? undefined : target.peerId;
    const current = (): boolean => gen === this.gen && !this.ended;
    void dialHost(target, { transport: this.transport, connectTimeoutMs: o.connectTimeoutMs ?? 2_000, maxFrameBytes: o.maxFrameBytes, log: this.log, expectPeerId, current }).then((r) => {
      if (!isDialFailure(r)) this.connected(r, gen);
      else if (current()) this.run({ kind: 'connect-failed', refused: r.refused });
    });
  }

  private connected(conn: Connection<ServerCommand>, gen: number): void {
    if (gen !== this.gen || this.ended) {
      conn.destroy('superseded');
      return;
    }
    const link = new Link(this, conn, this.standbyWait);
    this.link = link;
    this.run({ kind: 'connected' });
    // After `connected`: a connection that closed meanwhile is reported after it, not before.
    link.start();
  }

  /** Forgets the current connection (a new generation), closing it after its queued frames. */
  private dropConnection(reason: string): void {
    this.gen++;
    this.link?.drop(reason);
    if (this.link) this.dropped = this.link.done;
    this.link = undefined;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.wake?.unsubscribe();
    this.dropConnection('left');
    const closing = this.dropped;
    this.subs.unsubscribe();
    this.events.complete();
    // The EXIT just queued goes out before the close: wait for it, bounded (a host that never closes).
    const bound = this.scheduler.schedule(() => this.resolveEnded(), this.opts.exitWaitMs ?? 1_000);
    void closing.then(() => (bound.unsubscribe(), this.resolveEnded()));
  }
}
