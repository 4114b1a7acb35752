/**
 * One dialled connection of a member session: the sink of its frames and close, its outbox and its
 * JOIN timer. The session makes a new link for every dial and ignores a link it has moved on from
 * (the reducer's rule: after `disconnect`, nothing more about the old connection).
 */
import { encodeFrame, type ClientCommand, type Decoded, type ServerCommand } from '@ims/codec';
import type { Logger } from '@ims/app-kit';
import type { CloseInfo, Connection, ConnectionSink } from '@ims/transport';
import type { SchedulerLike, Subscription } from 'rxjs';
import { Outbox, type OutboxPace } from './outbox.js';

/** What a link reports to, and reads from, its session. */
export interface LinkOwner {
  /** Clock of the JOIN timer and of the frames' arrival time. */
  readonly scheduler: SchedulerLike;
  /** The transport's end-of-turn hook, for the outbox. */
  readonly afterFlush: (fn: () => void) => void;
  /** The frame budget of each connection's outbox (docs/protocol.md §9). */
  readonly pace: OutboxPace;
  readonly log: Logger | undefined;
  /** True while `link` is the session's current connection. */
  isCurrent(link: Link): boolean;
  /** A decoded frame of the current connection, with its arrival time. */
  frame(command: ServerCommand, at: number): void;
  /** The current connection ended without the session asking. */
  closed(info: CloseInfo): void;
  /** The current connection's host sent no STANDBY in the wait after JOIN (docs/protocol.md §7.7). */
  noStandby(): void;
}

/** How long a link waits for the STANDBY that ends a JOIN (docs/protocol.md §2.6, §7.7). */
export interface StandbyWait {
  /** ms from connect to STANDBY while the host sends nothing. */
  readonly joinTimeoutMs: number;
  /** ms without a frame, once a SAY came before any STANDBY. */
  readonly historyQuietMs: number;
}

/** The waits with their defaults (10 s, 1.5 s, docs/protocol.md §7.7); a negative or non-finite one is a RangeError. */
export function resolveStandbyWait(joinTimeoutMs = 10_000, historyQuietMs = 1_500): StandbyWait {
  if (!(joinTimeoutMs >= 0 && historyQuietMs >= 0 && Number.isFinite(joinTimeoutMs + historyQuietMs))) {
    throw new RangeError(`MemberSessionOptions: joinTimeoutMs and historyQuietMs must be finite and >= 0, got ${joinTimeoutMs} and ${historyQuietMs}`);
  }
  return { joinTimeoutMs, historyQuietMs };
}

/** A dialled connection as the session drives it. */
export class Link implements ConnectionSink<ServerCommand> {
  private readonly outbox: Outbox;
  private joinTimer: Subscription | undefined;
  /** The quiet timer after a history SAY (armed once, re-armed for what is left of the quiet). */
  private quietTimer: Subscription | undefined;
  /** Scheduler time of the last frame before STANDBY. */
  private lastFrameAt = 0;
  /** A fatal frame poisoned the stream: nothing more is read from it. */
  private poisoned = false;
  private resolveDone: () => void = () => undefined;
  /** Resolves once the connection has closed: after {@link Link.drop}, its queued frames (EXIT) went out first. */
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  /** Arms the JOIN timer (`joinTimeoutMs` until STANDBY); frames flow once {@link Link.start} attached it. */
  constructor(
    private readonly owner: LinkOwner,
    private readonly conn: Connection<ServerCommand>,
    private readonly wait: StandbyWait,
  ) {
    this.outbox = new Outbox(conn, owner.afterFlush, owner.pace);
    // docs/protocol.md §7.7: STANDBY ends an ims host's JOIN, but the draft authors' server never
    // sends it. A host silent that long, or quiet that long after its history, is told to the
    // reducer, which completes the join without a standby (the connection stays).
    this.joinTimer = owner.scheduler.schedule(() => this.noStandby(), wait.joinTimeoutMs);
  }

  /** Attaches to the connection: frames, then the close, arrive here (at once if it already closed). */
  start(): void {
    this.conn.attach(this);
  }

  /** Encodes one command and queues it for its own socket write (outbox.ts); a closing link drops it (logged). */
  send(command: ClientCommand): void {
    if (!this.outbox.send(encodeFrame(command))) this.owner.log?.debug('member.send_dropped', { cmd: command.cmd });
  }

  /** Closes after the queued frames (an EXIT just sent reaches the host); the session has moved on. */
  drop(reason: string): void {
    this.stopJoinTimer();
    this.outbox.close(reason);
  }

  frame(decoded: Decoded<ServerCommand>): void {
    if (!this.owner.isCurrent(this) || this.poisoned) return;
    if (!decoded.ok) {
      // docs/protocol.md §2, §6: a bad frame is logged and dropped; a fatal one poisons the stream.
      this.owner.log?.warn('member.bad_frame', { code: decoded.error.code, fatal: decoded.error.fatal });
      if (decoded.error.fatal) this.hangUp(`bad frame: ${decoded.error.code}`);
      return;
    }
    const now = this.owner.scheduler.now();
    if (decoded.value.cmd === 'STANDBY') this.stopJoinTimer();
    else if (this.joinTimer !== undefined) this.noteHistory(decoded.value.cmd === 'SAY', now);
    this.owner.frame(decoded.value, now);
  }

  closed(info: CloseInfo): void {
    this.stopJoinTimer();
    this.resolveDone();
    if (this.owner.isCurrent(this)) this.owner.closed(info);
  }

  /**
   * We close a stream we cannot read any more: EXIT first (docs/protocol.md §2.7), then the close
   * after the queued frames; the session hears `closed` as for any lost connection.
   */
  private hangUp(reason: string): void {
    this.poisoned = true;
    this.stopJoinTimer();
    this.send({ cmd: 'EXIT' });
    this.outbox.close(reason);
  }

  /** A frame before STANDBY: the first SAY starts the quiet wait (one timer, however long the history). */
  private noteHistory(isSay: boolean, now: number): void {
    this.lastFrameAt = now;
    if (isSay && this.quietTimer === undefined) this.armQuiet(this.wait.historyQuietMs);
  }

  private armQuiet(ms: number): void {
    this.quietTimer = this.owner.scheduler.schedule(() => {
      const quiet = this.owner.scheduler.now() - this.lastFrameAt;
      if (quiet >= this.wait.historyQuietMs) this.noStandby();
      else this.armQuiet(this.wait.historyQuietMs - quiet);
    }, ms);
  }

  private noStandby(): void {
    this.stopJoinTimer();
    if (this.owner.isCurrent(this)) this.owner.noStandby();
  }

  private stopJoinTimer(): void {
    this.joinTimer?.unsubscribe();
    this.joinTimer = undefined;
    this.quietTimer?.unsubscribe();
    this.quietTimer = undefined;
  }
}
