/**
 * One command per socket write, for the client side of a channel connection, paced to the host's
 * frame budget. The draft authors' Java server reads one command per read, so a member never
 * coalesces commands (the transport batches whatever is written in one turn): the next frame is
 * written only after the transport handed the previous one to the network (`Transport.afterFlush`),
 * so each goes out alone. An ims host drops frames beyond its flood budget (docs/protocol.md §9: 100
 * a second, bursts of 200), so frames also wait for a token of a smaller bucket here: an author
 * pasting, or hundreds of re-sends after a failover, are queued instead of refused.
 */
import type { Connection } from '@ims/transport';
import type { SchedulerLike, Subscription } from 'rxjs';

/** The part of a Connection an Outbox drives. */
export type OutboxConnection = Pick<Connection<unknown>, 'write' | 'close' | 'isClosing'>;

/** A token bucket for the frames of one connection. */
export interface OutboxPace {
  /** Frames a second, sustained. */
  readonly rate: number;
  /** Frames sent at once after a quiet spell (the bucket starts full). */
  readonly burst: number;
  /** Clock of the bucket and of the wait for the next token. */
  readonly scheduler: SchedulerLike;
}

/** A paced write queue in front of one connection. */
export class Outbox {
  private readonly queue: Uint8Array[] = [];
  private closing: string | undefined;
  /** A frame is on its way (until afterFlush) or the head waits for a token. */
  private pumping = false;
  private tokens: number;
  private refilledAt: number;
  private wait: Subscription | undefined;

  /**
   * @param conn the connection written to
   * @param afterFlush runs a function once the frames written so far were handed to the network: the transport's `afterFlush`
   * @param pace the frame budget @default none (unpaced)
   * @param maxQueued frames held at most; beyond, `send` returns false (the caller logs the drop) @default 10_000
   */
  constructor(
    private readonly conn: OutboxConnection,
    private readonly afterFlush: (fn: () => void) => void,
    private readonly pace?: OutboxPace,
    private readonly maxQueued = 10_000,
  ) {
    this.tokens = pace?.burst ?? 0;
    this.refilledAt = pace?.scheduler.now() ?? 0;
  }

  /** Frames waiting for their turn. */
  get length(): number {
    return this.queue.length;
  }

  /** Queues one whole frame; false if closing, closed or full. */
  send(frame: Uint8Array): boolean {
    if (this.closing !== undefined || this.conn.isClosing || this.queue.length >= this.maxQueued) return false;
    this.queue.push(frame);
    this.pump();
    return true;
  }

  /** Closes the connection once every queued frame was written (EXIT goes out before the close); at once when it is closed already. */
  close(reason: string): void {
    this.closing ??= reason;
    if (this.conn.isClosing) this.discard();
    if (!this.pumping) this.conn.close(reason);
  }

  private pump(): void {
    if (this.pumping) return;
    // A connection that closed under us takes nothing more (the reducer re-sends what mattered).
    if (this.conn.isClosing) this.discard();
    if (this.queue.length === 0) {
      if (this.closing !== undefined) this.conn.close(this.closing);
      return;
    }
    const delay = this.takeToken();
    this.pumping = true;
    if (delay > 0) {
      this.wait = this.pace?.scheduler.schedule(() => {
        this.wait = undefined;
        this.pumping = false;
        this.pump();
      }, delay);
      return;
    }
    this.conn.write(this.queue.shift() as Uint8Array);
    // The transport hands this turn's writes over in one flush: the next frame waits for it, so it
    // lands in a separate socket.write (and, in memory, a separate chunk).
    this.afterFlush(() => {
      this.pumping = false;
      this.pump();
    });
  }

  /** Spends a token and returns 0, or returns the ms until the next one. */
  private takeToken(): number {
    const pace = this.pace;
    if (pace === undefined) return 0;
    const now = pace.scheduler.now();
    this.tokens = Math.min(pace.burst, this.tokens + ((now - this.refilledAt) * pace.rate) / 1_000);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1_000) / pace.rate));
  }

  private discard(): void {
    this.queue.length = 0;
    this.wait?.unsubscribe();
    this.wait = undefined;
    this.pumping = false;
  }
}
