/**
 * One TCP connection as frames in (an Observable of Decoded results) and batched, bounded writes
 * out. Bad input never throws here: decode failures travel as values and the owner decides.
 */
import type { Socket } from 'node:net';
import type { Decoded } from '@ims/codec';
import { Observable } from 'rxjs';
import type { Logger } from '@ims/app-kit';
import { type Flushable, cancelFlush, scheduleFlush } from './flush-scheduler.js';
import { TRANSPORT_DEFAULTS } from './limits.js';
import type { TransportErrorCode } from './transport-error.js';

/** The part of `@ims/codec`'s FrameDecoder a connection needs. */
export interface FrameDecoderLike<T> {
  /** Feeds the next chunk; returns every frame it completed, in order. */
  push(chunk: Uint8Array): readonly Decoded<T>[];
  /** Bytes held for an incomplete frame (slowloris detection). */
  readonly bufferedBytes: number;
}

/** Options shared by accepted and dialled connections. */
export interface ConnectionOptions<T> {
  /** Creates this connection's frame decoder, e.g. `() => serverSideDecoder({ maxFrameBytes })`. */
  readonly decoder: () => FrameDecoderLike<T>;
  /** Bytes waiting to be sent (our queue plus the socket's buffer) above which the peer is dropped as a slow reader. @default 1_048_576 */
  readonly maxSendQueueBytes?: number;
  /** ms the first frame, or any started frame, may stay incomplete before the connection is closed (slowloris); 0 disables. @default 30_000 */
  readonly idleTimeoutMs?: number;
  /** ms a graceful close waits for queued bytes to reach the peer before destroying the socket. @default 2_000 */
  readonly closeTimeoutMs?: number;
  /** Logger for connection-level events. @default none */
  readonly logger?: Logger;
  /** Called once the socket is gone, before the `onClose` handlers; one function can serve every connection (no closure each). @default none */
  readonly onClosed?: (conn: TcpConnection<T>) => void;
}

/** Why and how a connection ended. */
export interface CloseInfo {
  /** Human-readable reason (ours, or what the peer/socket did). */
  readonly reason: string;
  /** Set when the transport itself ended the connection (slow reader, idle) or a socket error did. */
  readonly code?: TransportErrorCode;
  /** True when the peer closed or reset the connection. */
  readonly byPeer: boolean;
}

/** Receiver of one connection's frames and close, as an object: a server's per-connection record can be it, with no closures. */
export interface ConnectionSink<T> {
  /** A decoded frame (as `onFrame`). */
  frame(frame: Decoded<T>): void;
  /** The socket is gone (as `onClose`); called once. */
  closed(info: CloseInfo): void;
}

/** A framed TCP connection. */
export interface TcpConnection<T> {
  /** Opaque, process-unique id (`c1`, `c2`...). */
  readonly id: string;
  /** Peer address as seen by the socket. */
  readonly remoteAddress: string;
  /** Peer port as seen by the socket. */
  readonly remotePort: number;
  /** Decoded frames; subscribing starts reading; completes when the connection ends. Each frame is decoded once for all subscribers. */
  readonly frames$: Observable<Decoded<T>>;
  /** Emits once when the socket is gone, then completes (replayed to late subscribers). */
  readonly closed$: Observable<CloseInfo>;
  /** Callback form of `frames$` for hot paths (no per-connection rx objects); returns the detach function. */
  onFrame(handler: (frame: Decoded<T>) => void): () => void;
  /** Callback form of `closed$`: called once (at once if already closed); returns the detach function. */
  onClose(handler: (info: CloseInfo) => void): () => void;
  /** Object form of `onFrame` + `onClose` for servers of thousands of connections (no closure each); one sink per connection, called after the callback handlers. */
  attach(sink: ConnectionSink<T>): void;
  /** True once close/destroy was called or the socket ended. */
  readonly isClosing: boolean;
  /** Bytes queued by us and not yet handed to the kernel. */
  readonly queuedBytes: number;
  /** Queues bytes for the end-of-turn flush. False if the connection is closing or was just dropped as a slow reader. */
  write(bytes: Uint8Array): boolean;
  /** Graceful close: flush what is queued (e.g. an ERROR frame), then end. Idempotent. */
  close(reason: string): void;
  /** Immediate close, dropping anything queued. Idempotent. */
  destroy(reason: string, code?: TransportErrorCode): void;
}

let nextId = 1;

/** '::ffff:10.0.0.1' → '10.0.0.1'; anything else unchanged. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Wraps a connected socket (accepted or dialled). The socket should be paused or freshly connected. */
export function wrapSocket<T>(socket: Socket, options: ConnectionOptions<T>): TcpConnection<T> {
  return new Connection(socket, options);
}

/** The Connection behind a socket, for the shared socket listeners below. */
const kConn = Symbol('ims.connection');
type OwnedSocket = Socket & { [kConn]?: Connection<unknown> };

// One set of socket listeners for every connection (EventEmitter calls them with the socket as
// `this`) instead of five closures per connection: a server holds thousands of idle connections.
function onSocketError(this: OwnedSocket, err: NodeJS.ErrnoException): void {
  this[kConn]?.onError(err);
}
function onSocketEnd(this: OwnedSocket): void {
  this[kConn]?.onEnd();
}
function onSocketClose(this: OwnedSocket): void {
  this[kConn]?.handleSocketClose();
}
function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this[kConn]?.onData(chunk);
}
function onSocketDrain(this: OwnedSocket): void {
  this[kConn]?.onDrain();
}

/** Calls every sink: one handler is kept bare (the usual case), several in an array. */
function callSinks<A>(sinks: ((a: A) => void) | ((a: A) => void)[] | undefined, a: A): void {
  if (sinks === undefined) return;
  if (typeof sinks === 'function') sinks(a);
  else for (const sink of sinks) sink(a);
}

function addSink<A>(sinks: ((a: A) => void) | ((a: A) => void)[] | undefined, h: (a: A) => void): ((a: A) => void) | ((a: A) => void)[] {
  if (sinks === undefined) return h;
  return typeof sinks === 'function' ? [sinks, h] : [...sinks, h];
}

function removeSink<A>(sinks: ((a: A) => void) | ((a: A) => void)[] | undefined, h: (a: A) => void): ((a: A) => void) | ((a: A) => void)[] | undefined {
  if (sinks === h) return undefined;
  if (sinks === undefined || typeof sinks === 'function') return sinks;
  const rest = sinks.filter((x) => x !== h);
  return rest.length === 1 ? rest[0] : rest;
}

class Connection<T> implements TcpConnection<T>, Flushable {
  readonly id = `c${nextId++}`;
  readonly remoteAddress: string;
  readonly remotePort: number;
  private readonly decoder: FrameDecoderLike<T>;
  // Plain callbacks instead of Subjects: a server holds thousands of idle connections, and
  // per-connection rx objects cost several KiB each (see README "Memory"). One bare function, or
  // an array when several subscribed.
  private frameSinks: ((frame: Decoded<T>) => void) | ((frame: Decoded<T>) => void)[] | undefined;
  private closeSinks: ((info: CloseInfo) => void) | ((info: CloseInfo) => void)[] | undefined;
  private closedInfo: CloseInfo | undefined;
  private sink: ConnectionSink<T> | undefined;
  private reading = false;
  private readonly loggerBase: Logger | undefined;
  private connLogger: Logger | undefined;
  private readonly maxQueue: number;
  private readonly idleMs: number;
  private readonly closeMs: number;
  private readonly onClosed: ((conn: TcpConnection<T>) => void) | undefined;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private queue: Uint8Array[] = [];
  private queued = 0;
  private blocked = false;
  private framesSeen = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private reason: string | undefined;
  private code: TransportErrorCode | undefined;
  private byPeer = false;

  constructor(
    private readonly socket: Socket,
    options: ConnectionOptions<T>,
  ) {
    // A dual-stack listener reports IPv4 peers as '::ffff:a.b.c.d'; discovery sees 'a.b.c.d', and the
    // host matches the two to identify clients (docs/protocol.md §2), so use the plain IPv4 form.
    this.remoteAddress = normalizeAddress(socket.remoteAddress ?? 'unknown');
    this.remotePort = socket.remotePort ?? 0;
    this.decoder = options.decoder();
    this.maxQueue = options.maxSendQueueBytes ?? TRANSPORT_DEFAULTS.maxSendQueueBytes;
    this.idleMs = options.idleTimeoutMs ?? TRANSPORT_DEFAULTS.idleTimeoutMs;
    this.closeMs = options.closeTimeoutMs ?? TRANSPORT_DEFAULTS.closeTimeoutMs;
    this.loggerBase = options.logger;
    this.onClosed = options.onClosed;
    // We batch writes ourselves; Nagle would only add latency on top.
    socket.setNoDelay(true);
    (socket as OwnedSocket)[kConn] = this as Connection<unknown>;
    socket.on('error', onSocketError);
    socket.on('end', onSocketEnd);
    socket.on('close', onSocketClose);
    if (this.idleMs > 0) this.armIdle();
  }

  /** @internal socket 'error' (always followed by 'close'). */
  onError(err: NodeJS.ErrnoException): void {
    this.logger?.debug('tcp.socket_error', { code: err.code, message: err.message });
    if (this.reason === undefined) [this.reason, this.code, this.byPeer] = [`socket error ${err.code ?? err.message}`, 'SOCKET_ERROR', true];
  }

  /** @internal socket 'end': the peer sent FIN. We run with allowHalfOpen so queued bytes still go out before our FIN. */
  onEnd(): void {
    if (this.reason === undefined) [this.reason, this.byPeer] = ['peer closed', true];
    this.close(this.reason);
  }

  /** The per-connection child logger, built on first use (most connections never log). */
  private get logger(): Logger | undefined {
    if (this.connLogger === undefined && this.loggerBase !== undefined) {
      this.connLogger = this.loggerBase.child({ conn: this.id, remote: `${this.remoteAddress}:${this.remotePort}` });
    }
    return this.connLogger;
  }

  get frames$(): Observable<Decoded<T>> {
    return new Observable<Decoded<T>>((sub) => {
      const detachFrame = this.onFrame((d) => sub.next(d));
      const detachClose = this.onClose(() => sub.complete());
      return () => {
        detachFrame();
        detachClose();
      };
    });
  }

  get closed$(): Observable<CloseInfo> {
    return new Observable<CloseInfo>((sub) =>
      this.onClose((info) => {
        sub.next(info);
        sub.complete();
      }),
    );
  }

  onFrame(handler: (frame: Decoded<T>) => void): () => void {
    this.frameSinks = addSink(this.frameSinks, handler);
    this.startReading();
    return () => {
      this.frameSinks = removeSink(this.frameSinks, handler);
    };
  }

  attach(sink: ConnectionSink<T>): void {
    // A second sink would silently replace the first: that is a wiring bug, not network input.
    if (this.sink !== undefined) throw new Error(`connection ${this.id} already has a sink`);
    if (this.closedInfo !== undefined) {
      sink.closed(this.closedInfo);
      return;
    }
    this.sink = sink;
    this.startReading();
  }

  private startReading(): void {
    if (!this.reading && this.state !== 'closed') {
      this.reading = true;
      this.socket.on('data', onSocketData);
      this.socket.resume();
    }
  }

  onClose(handler: (info: CloseInfo) => void): () => void {
    if (this.closedInfo !== undefined) {
      handler(this.closedInfo);
      return () => undefined;
    }
    this.closeSinks = addSink(this.closeSinks, handler);
    return () => {
      this.closeSinks = removeSink(this.closeSinks, handler);
    };
  }

  /** @internal socket 'data'. */
  onData(chunk: Buffer): void {
    if (this.state !== 'open') return;
    const results = this.decoder.push(chunk);
    this.framesSeen += results.length;
    this.updateIdle(results.length > 0);
    const sinks = this.frameSinks;
    const sink = this.sink;
    for (const r of results) {
      // A handler may close us mid-batch: stop delivering then.
      if (this.state !== 'open') break;
      callSinks(sinks, r);
      sink?.frame(r);
    }
  }

  get isClosing(): boolean {
    return this.state !== 'open';
  }

  get queuedBytes(): number {
    return this.queued;
  }

  write(bytes: Uint8Array): boolean {
    if (this.state !== 'open') return false;
    this.queue.push(bytes);
    this.queued += bytes.byteLength;
    // The bound covers both our queue and what the socket already holds: a peer that stopped
    // reading must not grow memory without limit.
    if (this.queued + this.socket.writableLength > this.maxQueue) {
      this.destroy(`slow reader: more than ${this.maxQueue} bytes waiting`, 'SLOW_READER');
      return false;
    }
    if (!this.blocked) scheduleFlush(this);
    return true;
  }

  flush(): void {
    if (this.state === 'closed' || this.blocked) return;
    if (this.queue.length > 0) {
      const data = this.queue.length === 1 ? (this.queue[0] as Uint8Array) : Buffer.concat(this.queue, this.queued);
      this.queue = [];
      this.queued = 0;
      if (!this.socket.write(data)) {
        this.blocked = true;
        this.socket.once('drain', onSocketDrain);
        return;
      }
    }
    if (this.state === 'closing') this.socket.end();
  }

  close(reason: string): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.reason ??= reason;
    this.clearIdle();
    this.closeTimer = setTimeout(() => this.destroy(`${reason} (close timed out)`), this.closeMs);
    this.closeTimer.unref();
    // Keep reading (and discarding) so the peer's FIN is seen and the socket can close without the timer.
    this.socket.resume();
    if (this.queue.length === 0 && !this.blocked) this.socket.end();
    else scheduleFlush(this);
  }

  destroy(reason: string, code?: TransportErrorCode): void {
    if (this.state === 'closed') return;
    this.reason ??= reason;
    this.code ??= code;
    if (code !== undefined) this.logger?.warn('tcp.dropped', { reason, code });
    this.state = 'closing';
    this.queue = [];
    this.queued = 0;
    cancelFlush(this);
    this.socket.destroy();
  }

  /** @internal socket 'drain' after a write the kernel could not take at once. */
  onDrain(): void {
    this.blocked = false;
    this.flush();
  }

  /** @internal socket 'close'. */
  handleSocketClose(): void {
    this.state = 'closed';
    this.clearIdle();
    if (this.closeTimer) clearTimeout(this.closeTimer);
    cancelFlush(this);
    this.queue = [];
    this.queued = 0;
    const info: CloseInfo = { reason: this.reason ?? 'closed', code: this.code, byPeer: this.byPeer };
    this.closedInfo = info;
    this.onClosed?.(this);
    const sinks = this.closeSinks;
    const sink = this.sink;
    this.closeSinks = undefined;
    this.frameSinks = undefined;
    this.sink = undefined;
    callSinks(sinks, info);
    sink?.closed(info);
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
