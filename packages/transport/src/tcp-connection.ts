/**
 * One TCP connection as frames in (Decoded results, to the attached sink) and batched, bounded
 * writes out. Bad input never throws here: decode failures travel as values and the owner decides.
 */
import type { Socket } from 'node:net';
import type { Logger } from '@ims/app-kit';
import type { CloseInfo, Connection, ConnectionOptions, ConnectionSink, FrameDecoderLike } from './connection.js';
import { type Flushable, cancelFlush, scheduleFlush } from './flush-scheduler.js';
import { FrameGate } from './frame-gate.js';
import { listenData, onceDrain, ownSocket, type SocketOwner } from './socket-listeners.js';
import { TRANSPORT_DEFAULTS } from './limits.js';
import { SendBatch, written } from './send-batch.js';
import type { TransportErrorCode } from './transport-error.js';

let nextId = 1;

/** '::ffff:10.0.0.1' → '10.0.0.1'; anything else unchanged. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * Wraps a connected socket (accepted or dialled; a TLSSocket once its handshake is done, with the
 * `peerId` it proved). The socket should be paused or freshly connected.
 */
export function wrapSocket<T>(socket: Socket, options: ConnectionOptions<T>, peerId?: string): Connection<T> {
  return new TcpConnection(socket, options, peerId);
}

/** How a connection ends: its own object, created when the end begins (an open connection holds one field for it, not seven). */
interface Ending {
  reason: string | undefined;
  code: TransportErrorCode | undefined;
  byPeer: boolean;
  /** Bytes read and dropped since the close began. */
  discarded: number;
  closeTimer: NodeJS.Timeout | undefined;
  /** Set once the socket closed. */
  info: CloseInfo | undefined;
  /** The connection's child logger, once it logged. */
  logger: Logger | undefined;
}

class TcpConnection<T> implements Connection<T>, Flushable, SocketOwner {
  readonly id = `c${nextId++}`;
  readonly remoteAddress: string;
  readonly remotePort: number;
  private readonly decoder: FrameDecoderLike<T>;
  // One sink object instead of Subjects or callbacks: a server holds thousands of idle
  // connections. Measured 2026-12-01 (Node 20.20, 2 000 idle loopback connections, heap after GC):
  // ~2.0 KiB per connection with a sink object; two Subjects with one subscription each add
  // ~2.3 KiB, and a filter/map/takeUntil pipeline on them ~4.5 KiB (README "Memory").
  private sink: ConnectionSink<T> | undefined;
  private reading = false;
  /** Pause state and the frames held meanwhile. */
  private readonly gate = new FrameGate<T>();
  /** The listener's options, shared by its connections (the logger, the close timeout and hook are read from it when needed). */
  private readonly options: ConnectionOptions<T>;
  private readonly maxQueue: number;
  private readonly idleMs: number;
  private state: 'open' | 'closing' | 'closed' = 'open';
  /** The turn's writes, waiting for the end-of-turn flush (send-batch.ts: no garbage per write). */
  private readonly queue = new SendBatch();
  private blocked = false;
  /** This connection is in the turn's flush list (saves a Set lookup per write of a fan-out). */
  private flushQueued = false;
  /** What the socket itself held after our last write: the send-queue bound counts it without a per-write read. */
  private socketBacklog = 0;
  private framesSeen = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** How it ends, from the first sign of it on (see {@link Ending}). */
  private end: Ending | undefined;

  constructor(
    private readonly socket: Socket,
    options: ConnectionOptions<T>,
    readonly peerId: string | undefined,
  ) {
    // A dual-stack listener reports IPv4 peers as '::ffff:a.b.c.d'; discovery sees 'a.b.c.d', and the
    // host matches the two to identify clients (docs/protocol.md §2), so use the plain IPv4 form.
    this.remoteAddress = normalizeAddress(socket.remoteAddress ?? 'unknown');
    this.remotePort = socket.remotePort ?? 0;
    this.decoder = options.decoder();
    this.options = options;
    this.maxQueue = options.maxSendQueueBytes ?? TRANSPORT_DEFAULTS.maxSendQueueBytes;
    this.idleMs = options.idleTimeoutMs ?? TRANSPORT_DEFAULTS.idleTimeoutMs;
    // We batch writes ourselves; Nagle would only add latency on top.
    socket.setNoDelay(true);
    ownSocket(socket, this);
    if (this.idleMs > 0) this.armIdle();
  }

  /** @internal socket 'error' (always followed by 'close'). */
  onError(err: NodeJS.ErrnoException): void {
    this.logger?.debug('tcp.socket_error', { code: err.code, message: err.message });
    const e = this.ending();
    if (e.reason === undefined) [e.reason, e.code, e.byPeer] = [`socket error ${err.code ?? err.message}`, 'SOCKET_ERROR', true];
  }

  /** @internal socket 'end': the peer sent FIN. We run with allowHalfOpen so queued bytes still go out before our FIN. */
  onEnd(): void {
    const e = this.ending();
    if (e.reason === undefined) [e.reason, e.byPeer] = ['peer closed', true];
    this.close(e.reason);
  }

  private ending(): Ending {
    return (this.end ??= { reason: undefined, code: undefined, byPeer: false, discarded: 0, closeTimer: undefined, info: undefined, logger: undefined });
  }

  /** The per-connection child logger, built on first use: only an ending connection logs (a socket error, a drop). */
  private get logger(): Logger | undefined {
    const e = this.ending();
    const base = this.options.logger;
    if (e.logger === undefined && base !== undefined) e.logger = base.child({ conn: this.id, remote: `${this.remoteAddress}:${this.remotePort}` });
    return e.logger;
  }

  attach(sink: ConnectionSink<T>): void {
    // A second sink would silently replace the first: that is a wiring bug, not network input.
    if (this.sink !== undefined) throw new Error(`connection ${this.id} already has a sink`);
    this.sink = sink;
    const info = this.end?.info;
    if (info !== undefined) sink.closed(info);
    else this.startReading();
  }

  private startReading(): void {
    if (!this.reading && this.state !== 'closed') {
      this.reading = true;
      listenData(this.socket);
      this.socket.resume();
    }
  }

  /** @internal socket 'data'. */
  onData(chunk: Buffer): void {
    if (this.state !== 'open') {
      // Closing: discarded, up to a bound (limits.ts closeDiscardBytes).
      const e = this.ending();
      e.discarded += chunk.byteLength;
      if (e.discarded > TRANSPORT_DEFAULTS.closeDiscardBytes) this.destroy('peer kept sending while closing');
      return;
    }
    const results = this.decoder.push(chunk);
    this.framesSeen += results.length;
    this.updateIdle(results.length > 0);
    this.gate.deliver(results, this.sink, this);
  }

  pause(): void {
    if (this.state !== 'open' || this.gate.paused) return;
    this.gate.pause();
    this.socket.pause();
  }

  resume(): void {
    if (this.state !== 'open' || !this.gate.paused) return;
    if (this.gate.resume(this.sink, this) && !this.gate.paused && this.state === 'open') this.socket.resume();
  }

  get isClosing(): boolean {
    return this.state !== 'open';
  }

  get queuedBytes(): number {
    return this.queue.bytes;
  }

  write(bytes: Uint8Array): boolean {
    if (this.state !== 'open') return false;
    this.queue.add(bytes);
    // The bound covers both our queue and what the socket already holds: a peer that stopped
    // reading must not grow memory without limit. The socket's share only shrinks between our
    // writes, so the figure from the last flush is an upper bound (no property read per write).
    if (this.queue.bytes + this.socketBacklog > this.maxQueue) {
      this.destroy(`slow reader: more than ${this.maxQueue} bytes waiting`, 'SLOW_READER');
      return false;
    }
    this.queueFlush();
    return true;
  }

  private queueFlush(): void {
    if (this.flushQueued || this.blocked) return;
    this.flushQueued = true;
    scheduleFlush(this);
  }

  flush(): void {
    this.flushQueued = false;
    if (this.state === 'closed' || this.blocked) return;
    const data = this.queue.take();
    if (data !== undefined) {
      const accepted = this.socket.write(data);
      this.socketBacklog = this.socket.writableLength;
      written(data, this.socketBacklog);
      if (!accepted) {
        this.blocked = true;
        onceDrain(this.socket);
        return;
      }
    }
    if (this.state === 'closing') this.socket.end();
  }

  close(reason: string): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    const e = this.ending();
    e.reason ??= reason;
    this.clearIdle();
    this.gate.clear();
    e.closeTimer = setTimeout(() => this.destroy(`${reason} (close timed out)`), this.options.closeTimeoutMs ?? TRANSPORT_DEFAULTS.closeTimeoutMs);
    e.closeTimer.unref();
    // Keep reading (and discarding) so the peer's FIN is seen and the socket can close without the timer.
    this.socket.resume();
    if (this.queue.isEmpty && !this.blocked) this.socket.end();
    else this.queueFlush();
  }

  destroy(reason: string, code?: TransportErrorCode): void {
    if (this.state === 'closed') return;
    const e = this.ending();
    e.reason ??= reason;
    e.code ??= code;
    if (code !== undefined) this.logger?.warn('tcp.dropped', { reason, code });
    this.state = 'closing';
    this.queue.clear();
    this.dropFromFlush();
    this.socket.destroy();
  }

  private dropFromFlush(): void {
    if (!this.flushQueued) return;
    this.flushQueued = false;
    cancelFlush(this);
  }

  /** @internal socket 'drain' after a write the kernel could not take at once. */
  onDrain(): void {
    this.blocked = false;
    this.socketBacklog = this.socket.writableLength;
    this.flush();
  }

  /** @internal socket 'close'. */
  handleSocketClose(): void {
    this.state = 'closed';
    this.clearIdle();
    const e = this.ending();
    if (e.closeTimer) clearTimeout(e.closeTimer);
    this.dropFromFlush();
    this.queue.clear();
    const info: CloseInfo = { reason: e.reason ?? 'closed', code: e.code, byPeer: e.byPeer };
    e.info = info;
    this.options.onClosed?.(this);
    this.sink?.closed(info);
  }

  /**
   * Slowloris guard: the clock runs until the first frame, and again while a started frame is
   * incomplete. Only a completed frame restarts it, so dripping bytes does not.
   */
  private updateIdle(completed: boolean): void {
    if (this.idleMs <= 0 || this.state !== 'open') return;
    if (completed) this.clearIdle();
    if (this.framesSeen > 0 && this.decoder.bufferedBytes === 0) return;
    if (this.idleTimer === undefined) this.armIdle();
  }

  private armIdle(): void {
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.destroy(`idle: no complete frame within ${this.idleMs} ms`, 'IDLE_TIMEOUT');
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
