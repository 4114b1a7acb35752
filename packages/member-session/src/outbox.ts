/**
 * One command per socket write, for the client side of a channel connection. The draft authors'
 * Java server reads one command per read, so a member never coalesces commands (the transport
 * batches whatever is written in one event-loop turn): each frame is handed over in its own turn.
 */
import type { Connection } from '@ims/transport';

/** The part of a Connection an Outbox drives. */
export type OutboxConnection = Pick<Connection<unknown>, 'write' | 'close' | 'isClosing'>;

/** A paced write queue in front of one connection. */
export class Outbox {
  private readonly queue: Uint8Array[] = [];
  private closing: string | undefined;
  private pumping = false;

  /**
   * @param conn the connection written to
   * @param maxQueued frames held at most; beyond, `send` returns false (the caller logs the drop)
   * @param defer runs a function in a later event-loop turn @default setImmediate
   */
  constructor(
    private readonly conn: OutboxConnection,
    private readonly maxQueued = 10_000,
    private readonly defer: (fn: () => void) => void = (fn) => void setImmediate(fn),
  ) {}

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

  /** Closes the connection once every queued frame was written (EXIT goes out before the close). */
  close(reason: string): void {
    this.closing ??= reason;
    if (!this.pumping) this.conn.close(reason);
  }

  private pump(): void {
    if (this.pumping) return;
    const frame = this.queue.shift();
    if (frame === undefined) {
      if (this.closing !== undefined) this.conn.close(this.closing);
      return;
    }
    this.pumping = true;
    this.conn.write(frame);
    // The transport flushes in a setImmediate of this turn; ours is queued after it, so the next
    // frame lands in a separate socket.write.
    this.defer(() => {
      this.pumping = false;
      this.pump();
    });
  }
}
