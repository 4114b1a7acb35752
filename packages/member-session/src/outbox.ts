/**
 * One command per socket write, for the client side of a channel connection. The draft authors'
 * Java server reads one command per read, so a member never coalesces commands (the transport
 * batches whatever is written in one turn): the next frame is written only after the transport
 * handed the previous one to the network (`Transport.afterFlush`), so each goes out alone.
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
   * @param afterFlush runs a function once the frames written so far were handed to the network: the transport's `afterFlush`
   * @param maxQueued frames held at most; beyond, `send` returns false (the caller logs the drop) @default 10_000
   */
  constructor(
    private readonly conn: OutboxConnection,
    private readonly afterFlush: (fn: () => void) => void,
    private readonly maxQueued = 10_000,
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
    // The transport hands this turn's writes over in one flush: the next frame waits for it, so it
    // lands in a separate socket.write (and, in memory, a separate chunk).
    this.afterFlush(() => {
      this.pumping = false;
      this.pump();
    });
  }
}
