/**
 * One end of an in-memory connection, with the same contract as a TCP one: frames decoded by the
 * real codec, writes batched per turn, graceful close (bytes, then FIN), reset, the slow-reader
 * bound and the slowloris rule. Every delay comes from the network's scheduler, and nothing is
 * delivered re-entrantly inside a call (as with a socket, events arrive in a later action).
 */
import type { SchedulerLike, Subscription } from 'rxjs';
import type { Logger } from '@ims/app-kit';
import type { CloseInfo, Connection, ConnectionOptions, ConnectionSink, FrameDecoderLike } from './connection.js';
import type { Flushable } from './flush-scheduler.js';
import { FrameGate } from './frame-gate.js';
import { TRANSPORT_DEFAULTS } from './limits.js';
import type { TransportErrorCode } from './transport-error.js';

/** What a connection needs from its network: the clock and the end-of-turn flush. */
export interface MemoryWire {
  readonly scheduler: SchedulerLike;
  /** Queues `conn.flush()` for the end of this turn. */
  scheduleFlush(conn: Flushable): void;
  /** Removes `conn` from the next flush. */
  cancelFlush(conn: Flushable): void;
}

/** In-order markers after the data: the peer's FIN, or its reset (destroy). */
const FIN = 'fin';
const RESET = 'reset';
type Segment = Uint8Array | typeof FIN | typeof RESET;

/** One end of a connection; the network sets `peer` (and `peerId`) right after making both ends. */
export class MemoryConnection<T> implements Connection<T>, Flushable {
  peer!: MemoryConnection<unknown>;
  /** The peer ID the other end's view proves (memory-transport.ts `at(address, { peerId })`); undefined for a plain view. */
  peerId: string | undefined;
  private readonly decoder: FrameDecoderLike<T>;
  private readonly maxQueue: number;
  private readonly idleMs: number;
  private readonly closeMs: number;
  private readonly logger: Logger | undefined;
  private readonly onClosed: ((conn: Connection<T>) => void) | undefined;
  private sink: ConnectionSink<T> | undefined;
  private reading = false;
  /** Pause state and the frames held meanwhile (frame-gate.ts). */
  private readonly gate = new FrameGate<T>();
  private state: 'open' | 'closing' | 'closed' = 'open';
  private queue: Uint8Array[] = [];
  private queued = 0;
  /** Segments handed to us by the peer and not read yet (a peer that never attaches fills this). */
  private inbox: Segment[] = [];
  private unread = 0;
  private drainAction: Subscription | undefined;
  private finishAction: Subscription | undefined;
  private finSent = false;
  private finReceived = false;
  private framesSeen = 0;
  /** Bytes read and dropped since the close began (tcp-connection.ts: bounded). */
  private discarded = 0;
  private idleTimer: Subscription | undefined;
  private closeTimer: Subscription | undefined;
  private reason: string | undefined;
  private code: TransportErrorCode | undefined;
  private byPeer = false;
  private closedInfo: CloseInfo | undefined;

  constructor(
    private readonly wire: MemoryWire,
    readonly id: string,
    readonly remoteAddress: string,
    readonly remotePort: number,
    options: ConnectionOptions<T>,
  ) {
    this.decoder = options.decoder();
    this.maxQueue = options.maxSendQueueBytes ?? TRANSPORT_DEFAULTS.maxSendQueueBytes;
    this.idleMs = options.idleTimeoutMs ?? TRANSPORT_DEFAULTS.idleTimeoutMs;
    this.closeMs = options.closeTimeoutMs ?? TRANSPORT_DEFAULTS.closeTimeoutMs;
    this.logger = options.logger;
    this.onClosed = options.onClosed;
    if (this.idleMs > 0) this.armIdle();
  }

  /** Bytes the peer handed over that this end has not read. */
  get unreadBytes(): number {
    return this.unread;
  }

  get isClosing(): boolean {
    return this.state !== 'open';
  }

  get queuedBytes(): number {
    return this.queued;
  }

  attach(sink: ConnectionSink<T>): void {
    if (this.sink !== undefined) throw new Error(`connection ${this.id} already has a sink`);
    this.sink = sink;
    if (this.closedInfo !== undefined) sink.closed(this.closedInfo);
    else this.startReading();
  }

  write(bytes: Uint8Array): boolean {
    if (this.state !== 'open') return false;
    this.queue.push(bytes);
    this.queued += bytes.byteLength;
    // The peer's unread bytes stand for the kernel buffers: a peer that stopped reading must not
    // grow memory without limit (as in tcp-connection.ts).
    if (this.queued + this.peer.unreadBytes > this.maxQueue) {
      this.destroy(`slow reader: more than ${this.maxQueue} bytes waiting`, 'SLOW_READER');
      return false;
    }
    this.wire.scheduleFlush(this);
    return true;
  }

  /** @internal end of turn: hands the queued bytes (one chunk) to the peer, then the FIN if closing. */
  flush(): void {
    if (this.state === 'closed' || this.finishAction !== undefined) return;
    if (this.queue.length > 0) {
      const data = new Uint8Array(this.queued);
      let at = 0;
      for (const b of this.queue) {
        data.set(b, at);
        at += b.byteLength;
      }
      this.queue = [];
      this.queued = 0;
      this.peer.receive(data);
    }
    if (this.state === 'closing') this.sendFin();
  }

  close(reason: string): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.reason ??= reason;
    this.clearIdle();
    this.gate.clear();
    this.closeTimer = this.wire.scheduler.schedule(() => this.destroy(`${reason} (close timed out)`), this.closeMs);
    // Keep reading (and discarding) so the peer's FIN is seen, as tcp-connection.ts does.
    this.startReading();
    if (this.queue.length === 0) this.sendFin();
    else this.wire.scheduleFlush(this);
  }

  destroy(reason: string, code?: TransportErrorCode): void {
    if (this.state === 'closed' || this.finishAction !== undefined) return;
    this.reason ??= reason;
    this.code ??= code;
    if (code !== undefined) this.logger?.warn('memory.dropped', { conn: this.id, reason, code });
    this.state = 'closing';
    this.queue = [];
    this.queued = 0;
    this.wire.cancelFlush(this);
    this.peer.receive(RESET);
    this.scheduleFinish();
  }

  /** @internal the peer handed over a segment. Dropped if this end is gone (its reset is on its way back). */
  receive(segment: Segment): void {
    if (this.state === 'closed' || this.finishAction !== undefined) return;
    this.inbox.push(segment);
    if (typeof segment !== 'string') this.unread += segment.byteLength;
    if (this.reading) this.scheduleDrain();
  }

  private startReading(): void {
    if (this.reading) return;
    this.reading = true;
    if (this.inbox.length > 0) this.scheduleDrain();
  }

  private scheduleDrain(): void {
    this.drainAction ??= this.wire.scheduler.schedule(() => {
      this.drainAction = undefined;
      this.drain();
    });
  }

  pause(): void {
    if (this.state === 'open') this.gate.pause();
  }

  resume(): void {
    if (this.state !== 'open' || !this.gate.paused) return;
    this.gate.paused = false;
    // Held frames and unread segments come in a later action, never inside the call.
    this.scheduleDrain();
  }

  /** Reads every segment in order: data while open (discarded while closing), then FIN or reset. Nothing while paused. */
  private drain(): void {
    if (this.gate.paused || (this.state === 'open' && !this.gate.release(this.sink, this))) return;
    while (this.inbox.length > 0 && this.finishAction === undefined && this.state !== 'closed' && !this.gate.paused) {
      const segment = this.inbox.shift() as Segment;
      if (segment === FIN) this.onFin();
      else if (segment === RESET) this.onReset();
      else {
        this.unread -= segment.byteLength;
        if (this.state === 'open') this.onData(segment);
        else if ((this.discarded += segment.byteLength) > TRANSPORT_DEFAULTS.closeDiscardBytes) this.destroy('peer kept sending while closing');
      }
    }
  }

  private onData(chunk: Uint8Array): void {
    const results = this.decoder.push(chunk);
    this.framesSeen += results.length;
    this.updateIdle(results.length > 0);
    this.gate.deliver(results, this.sink, this);
  }

  private onFin(): void {
    this.finReceived = true;
    if (this.reason === undefined) [this.reason, this.byPeer] = ['peer closed', true];
    if (this.state === 'open') this.close(this.reason);
    else if (this.finSent) this.scheduleFinish();
  }

  private onReset(): void {
    if (this.reason === undefined) [this.reason, this.code, this.byPeer] = ['socket error ECONNRESET', 'SOCKET_ERROR', true];
    this.state = 'closing';
    this.queue = [];
    this.queued = 0;
    this.wire.cancelFlush(this);
    this.scheduleFinish();
  }

  private sendFin(): void {
    if (this.finSent) return;
    this.finSent = true;
    this.peer.receive(FIN);
    if (this.finReceived) this.scheduleFinish();
  }

  private scheduleFinish(): void {
    this.finishAction ??= this.wire.scheduler.schedule(() => this.finish());
  }

  /** Both directions are done, or the connection was reset: report the close once. */
  private finish(): void {
    this.state = 'closed';
    this.clearIdle();
    this.closeTimer?.unsubscribe();
    this.drainAction?.unsubscribe();
    this.wire.cancelFlush(this);
    this.queue = [];
    this.queued = 0;
    this.inbox = [];
    this.unread = 0;
    const info: CloseInfo = { reason: this.reason ?? 'closed', code: this.code, byPeer: this.byPeer };
    this.closedInfo = info;
    this.onClosed?.(this);
    this.sink?.closed(info);
  }

  /** Slowloris guard, the rule of tcp-connection.ts: the clock runs until the first frame and while a started frame is incomplete. */
  private updateIdle(completed: boolean): void {
    if (this.idleMs <= 0 || this.state !== 'open') return;
    if (completed) this.clearIdle();
    if (this.framesSeen > 0 && this.decoder.bufferedBytes === 0) return;
    if (this.idleTimer === undefined) this.armIdle();
  }

  private armIdle(): void {
    this.idleTimer = this.wire.scheduler.schedule(() => {
      this.idleTimer = undefined;
      this.destroy(`idle: no complete frame within ${this.idleMs} ms`, 'IDLE_TIMEOUT');
    }, this.idleMs);
  }

  private clearIdle(): void {
    this.idleTimer?.unsubscribe();
    this.idleTimer = undefined;
  }
}
