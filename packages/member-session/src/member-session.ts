/**
 * A member session: one channel followed from the client side over one TCP connection at a time.
 * channel-core's pure member reducer decides (join, history, failover target, re-sends); this file
 * only executes its effects: dial, write frames, close, and publish events. docs/protocol.md §5.
 */
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameDecoder, type ClientCommand, type ServerCommand } from '@ims/codec';
import type { Observable} from 'rxjs';
import { asyncScheduler, Subject, Subscription, type SchedulerLike } from 'rxjs';
import type { Logger } from '@ims/app-kit';
import { tcpTransport, TransportError, type Connection } from '@ims/transport';
import { Outbox } from './outbox.js';
import type { LobbyHost, Member, MemberEffect, MemberEvent, MemberInput, MemberTarget, Post } from '@ims/channel-core';

/** Options of {@link startMemberSession}. */
export interface MemberSessionOptions {
  /** This peer's ID, sent as JOIN's clientId (docs/protocol.md §2). */
  readonly selfId: string;
  /** The channel to follow. */
  readonly channel: string;
  /** Where to JOIN first. */
  readonly target: MemberTarget;
  /** Builds the member reducer: channel-core's `createMember(options)`. */
  readonly createMember: () => Member;
  /** Discovery's hosting peers, on every lobby change (fallback targets and the host's liveness). @default none */
  readonly hosts$?: Observable<readonly LobbyHost[]>;
  /** Receives the tail of posts this member saw (replacing the previous one), so the embedded host serves them after a takeover. @default none */
  readonly archive?: (channel: string, posts: readonly Post[]) => void;
  /** Posts kept for `archive`. @default 1000 */
  readonly archiveLimit?: number;
  /** Largest frame accepted from the host. @default 65_536 */
  readonly maxFrameBytes?: number;
  /** ms a dial may take before it counts as failed (not refused). @default 2_000 */
  readonly connectTimeoutMs?: number;
  /**
   * ms from connect to the host's STANDBY (which ends every JOIN, docs/architecture.md "History
   * delimiter"); a host that stays silent longer is dropped, and the reducer tries elsewhere.
   * @default 10_000
   */
  readonly joinTimeoutMs?: number;
  /** Clock of the events' `ts`. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** Logger. @default none */
  readonly logger?: Logger;
}

/** A member reducer event stamped with the scheduler's time (ms). */
export type TimedMemberEvent = MemberEvent & { readonly ts: number };

/** A running member session. */
export interface MemberSession {
  /** Everything the member reports, in order, with the local time in `ts`; completes after the `left` event. */
  readonly events$: Observable<TimedMemberEvent>;
  /** Posts text; the reducer keeps it pending until echoed, and re-sends it after a failover. */
  post(text: string): void;
  /** Sends INVITE for these peer IDs on the channel's connection. */
  invite(peerIds: readonly string[]): void;
  /** Leaves: EXIT then close; resolves when the session has ended. */
  exit(): Promise<void>;
}

/** Starts following a channel; the first JOIN goes out as soon as the dial succeeds. */
export function startMemberSession(options: MemberSessionOptions): MemberSession {
  return new Session(options);
}

class Session implements MemberSession {
  readonly events$: Observable<TimedMemberEvent>;
  private readonly events = new Subject<TimedMemberEvent>();
  private readonly member: Member;
  private readonly scheduler: SchedulerLike;
  private readonly seen: Post[] = [];
  private archiveQueued = false;
  private readonly subs = new Subscription();
  private readonly log: Logger | undefined;
  private conn: Connection<ServerCommand> | undefined;
  private outbox: Outbox | undefined;
  /** Generation of the current dial: events of older sockets are ignored. */
  private gen = 0;
  private ended = false;
  private readonly endedPromise: Promise<void>;
  private resolveEnded: () => void = () => undefined;

  constructor(private readonly opts: MemberSessionOptions) {
    this.scheduler = opts.scheduler ?? asyncScheduler;
    this.log = opts.logger?.child({ channel: opts.channel });
    this.member = opts.createMember();
    this.events$ = this.events.asObservable();
    this.endedPromise = new Promise((resolve) => (this.resolveEnded = resolve));
    if (opts.hosts$) {
      this.subs.add(opts.hosts$.subscribe((hosts) => this.run({ kind: 'lobby', hosts })));
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

  private run(input: MemberInput): void {
    if (this.ended) return;
    for (const effect of this.member.handle(input)) this.execute(effect);
  }

  private execute(effect: MemberEffect): void {
    switch (effect.kind) {
      case 'connect':
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
    }
  }

  /** Each command is encoded whole and written alone (outbox.ts: the Java server's reads). */
  private write(command: ClientCommand): void {
    if (this.outbox?.send(encodeFrame(command)) !== true) this.log?.debug('member.send_dropped', { cmd: command.cmd });
  }

  private publish(event: MemberEvent): void {
    const ts = this.scheduler.now();
    if (event.event === 'say' || event.event === 'history') this.remember({ authorId: event.author, text: event.text, at: ts });
    this.events.next({ ...event, ts });
    if (event.event === 'left') this.end();
  }

  /**
   * docs/architecture.md "Takeover": the embedded host archives what its member sessions saw, so
   * when this peer is standby and members JOIN it, it serves the history. The host replaces the
   * archive on each call, so it gets the whole bounded tail, once per burst (history replays).
   */
  private remember(post: Post): void {
    const archive = this.opts.archive;
    if (!archive) return;
    this.seen.push(post);
    const limit = this.opts.archiveLimit ?? 1_000;
    if (this.seen.length > limit + 64) this.seen.splice(0, this.seen.length - limit);
    if (this.archiveQueued) return;
    this.archiveQueued = true;
    queueMicrotask(() => {
      this.archiveQueued = false;
      archive(this.opts.channel, this.seen.slice(-limit));
    });
  }

  private dial(target: MemberTarget): void {
    this.dropConnection('redial');
    const gen = ++this.gen;
    const where = `${target.address}:${target.port}`;
    tcpTransport.dial<ServerCommand>({
      host: target.address,
      port: target.port,
      connectTimeoutMs: this.opts.connectTimeoutMs ?? 2_000,
      decoder: () => new FrameDecoder<ServerCommand>({ direction: 'toClient', maxFrameBytes: this.opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES }),
      // A member waits for posts as long as it likes: no idle timeout on the client side.
      idleTimeoutMs: 0,
      ...(this.log ? { logger: this.log } : {}),
    }).then(
      (conn) => {
        if (gen !== this.gen || this.ended) conn.destroy('superseded');
        else this.attach(conn, gen);
      },
      (err: unknown) => {
        if (gen !== this.gen || this.ended) return;
        const code = err instanceof TransportError ? err.code : 'CONNECT_FAILED';
        this.log?.info('member.connect_failed', { peer: target.peerId, endpoint: where, code });
        // docs/protocol.md §5 fast path: "refused" means the host process is gone, not just slow.
        this.run({ kind: 'connect-failed', refused: code === 'CONNECTION_REFUSED' });
      },
    );
  }

  private attach(conn: Connection<ServerCommand>, gen: number): void {
    this.conn = conn;
    this.outbox = new Outbox(conn);
    let answered = false;
    const joinTimer = this.scheduler.schedule(() => {
      if (gen === this.gen && !answered) conn.destroy('no STANDBY after JOIN');
    }, this.opts.joinTimeoutMs ?? 10_000);
    this.subs.add(joinTimer);
    conn.attach({
      frame: (decoded) => {
        if (gen !== this.gen) return;
        if (decoded.ok && decoded.value.cmd === 'STANDBY' && !answered) {
          answered = true;
          joinTimer.unsubscribe();
        }
        if (decoded.ok) this.run({ kind: 'frame', command: decoded.value, at: this.scheduler.now() });
        else {
          // docs/protocol.md §2: a bad frame is logged and dropped; a fatal one poisons the stream.
          this.log?.warn('member.bad_frame', { code: decoded.error.code, fatal: decoded.error.fatal });
          if (decoded.error.fatal) conn.destroy(`bad frame: ${decoded.error.code}`);
        }
      },
      closed: (info) => {
        joinTimer.unsubscribe();
        if (gen !== this.gen || this.conn !== conn) return;
        this.conn = undefined;
        this.outbox = undefined;
        this.log?.info('member.closed', { reason: info.reason });
        this.run({ kind: 'closed' });
      },
    });
    this.run({ kind: 'connected' });
  }

  private dropConnection(reason: string): void {
    this.gen++;
    // The outbox writes what is queued first, so an EXIT sent just before reaches the host.
    this.outbox?.close(reason);
    this.outbox = undefined;
    this.conn = undefined;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.dropConnection('left');
    this.subs.unsubscribe();
    this.events.complete();
    this.resolveEnded();
  }
}
