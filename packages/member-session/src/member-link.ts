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
}

/** A dialled connection as the session drives it. */
export class Link implements ConnectionSink<ServerCommand> {
  private readonly outbox: Outbox;
  private joinTimer: Subscription | undefined;

  /** Arms the JOIN timer (`joinTimeoutMs` until STANDBY); frames flow once {@link Link.start} attached it. */
  constructor(
    private readonly owner: LinkOwner,
    private readonly conn: Connection<ServerCommand>,
    joinTimeoutMs: number,
  ) {
    this.outbox = new Outbox(conn, owner.afterFlush, owner.pace);
    // docs/architecture.md "History delimiter": STANDBY ends every JOIN; a host silent that long
    // is dropped, and the reducer sees `closed` and tries elsewhere.
    this.joinTimer = owner.scheduler.schedule(() => conn.destroy('no STANDBY after JOIN'), joinTimeoutMs);
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
    if (!this.owner.isCurrent(this)) return;
    if (!decoded.ok) {
      // docs/protocol.md §2, §6: a bad frame is logged and dropped; a fatal one poisons the stream.
      this.owner.log?.warn('member.bad_frame', { code: decoded.error.code, fatal: decoded.error.fatal });
      if (decoded.error.fatal) this.conn.destroy(`bad frame: ${decoded.error.code}`);
      return;
    }
    if (decoded.value.cmd === 'STANDBY') this.stopJoinTimer();
    this.owner.frame(decoded.value, this.owner.scheduler.now());
  }

  closed(info: CloseInfo): void {
    this.stopJoinTimer();
    if (this.owner.isCurrent(this)) this.owner.closed(info);
  }

  private stopJoinTimer(): void {
    this.joinTimer?.unsubscribe();
    this.joinTimer = undefined;
  }
}
