/**
 * The accepting half of a socket handoff (a server sharded over worker processes): binds the TCP
 * port, applies the connection caps of a listener (total, per IP, rate per IP) to the whole box,
 * reads each connection's first frame, then stops reading and hands the raw socket plus every byte
 * read so far to the owner, which passes it to a worker (`subprocess.send(msg, socket)`); the
 * worker adopts it with {@link adoptingTransport}, its decoder reading those bytes again first.
 */
import { type Server, type Socket, createServer } from 'node:net';
import type { Decoded } from '@ims/codec';
import { type Observable, Subject } from 'rxjs';
import { AcceptRate } from './accept-rate.js';
import type { FrameDecoderLike } from './connection.js';
import { REFUSAL_TEXT, refusalOf } from './listener-caps.js';
import { TRANSPORT_DEFAULTS } from './limits.js';
import { normalizeAddress } from './tcp-connection.js';
import { bind } from './tcp-listener.js';
import type { ListenOptions, Refusal } from './transport.js';

/** Options of {@link acceptForHandoff}: a listener's caps, plus how long to wait for the first frame. */
export interface HandoffAcceptorOptions<T> extends Pick<
  ListenOptions<T>,
  'address' | 'port' | 'portTries' | 'maxConnections' | 'maxConnectionsPerIp' | 'connectionRatePerIp' | 'connectionBurstPerIp' | 'refusalFrame' | 'closeTimeoutMs' | 'logger'
> {
  /** Decoder of the first frame (the worker decodes the same bytes again with its own). */
  readonly decoder: () => FrameDecoderLike<T>;
  /** ms to wait for a complete first frame, then the socket is handed over without one; 0 waits as long as it takes. @default 30_000 */
  readonly firstFrameTimeoutMs?: number;
}

/** A socket ready to be handed over: not reading, its bytes so far in `head`. */
export interface HandedSocket<T> {
  /** The raw socket (paused, its handle no longer reading). */
  readonly socket: Socket;
  /** Every byte read from it so far, the first frame and anything after it. */
  readonly head: Buffer;
  /** The decoded first frame; undefined after a timeout. */
  readonly first: Decoded<T> | undefined;
  /** Normalised source IP, the key of the per-IP cap (hand it back to `release`). */
  readonly address: string;
}

/** A bound acceptor. */
export interface HandoffAcceptor<T> {
  /** Bound address. */
  readonly address: string;
  /** Bound port. */
  readonly port: number;
  /** Sockets ready to hand over, in the order their first frame completed. */
  readonly handed$: Observable<HandedSocket<T>>;
  /** Connections refused by the caps (for metrics). */
  readonly refused$: Observable<Refusal>;
  /** Connections counted against the caps: waiting for a first frame, or handed over and not yet released. */
  readonly openCount: number;
  /** Forgets one handed-over connection of `address` (it closed in the worker, or its worker died). */
  release(address: string): void;
  /** Stops accepting and drops sockets still waiting for their first frame. */
  close(): Promise<void>;
}

/** Binds and resolves once listening. Rejects with TransportError LISTEN_FAILED. */
export async function acceptForHandoff<T>(options: HandoffAcceptorOptions<T>): Promise<HandoffAcceptor<T>> {
  const address = options.address ?? '127.0.0.1';
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
  const port = await bind(server, address, options.port ?? 0, options.portTries ?? TRANSPORT_DEFAULTS.portTries);
  return new Acceptor(server, address, port, options);
}

/** The handle's own flow control: `Readable.pause()` alone leaves libuv reading, and bytes read after the handoff began would be lost. */
interface ReadableHandle {
  readStop?(): number;
  reading?: boolean;
}

class Acceptor<T> implements HandoffAcceptor<T> {
  private readonly handedSubject = new Subject<HandedSocket<T>>();
  private readonly refusedSubject = new Subject<Refusal>();
  readonly handed$: Observable<HandedSocket<T>>;
  readonly refused$: Observable<Refusal>;
  private readonly perIp = new Map<string, number>();
  private readonly rate: AcceptRate;
  private readonly waiting = new Set<Socket>();
  private open = 0;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly server: Server,
    readonly address: string,
    readonly port: number,
    private readonly options: HandoffAcceptorOptions<T>,
  ) {
    this.rate = new AcceptRate(options.connectionRatePerIp ?? TRANSPORT_DEFAULTS.connectionRatePerIp, options.connectionBurstPerIp ?? TRANSPORT_DEFAULTS.connectionBurstPerIp);
    this.handed$ = this.handedSubject.asObservable();
    this.refused$ = this.refusedSubject.asObservable();
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (err) => options.logger?.error('tcp.server_error', { err }));
  }

  get openCount(): number {
    return this.open;
  }

  private refusal(ip: string): Refusal['reason'] | undefined {
    if (this.closing !== undefined || !this.handedSubject.observed) return 'unobserved';
    if (this.open >= (this.options.maxConnections ?? TRANSPORT_DEFAULTS.maxConnections)) return 'max-connections';
    if ((this.perIp.get(ip) ?? 0) >= (this.options.maxConnectionsPerIp ?? TRANSPORT_DEFAULTS.maxConnectionsPerIp)) return 'max-connections-per-ip';
    // Last, as in listener-caps.ts: a connection refused for another cap spends no rate budget.
    if (!this.rate.take(ip, Date.now())) return 'connection-rate-per-ip';
    return undefined;
  }

  private accept(socket: Socket): void {
    const ip = normalizeAddress(socket.remoteAddress ?? 'unknown');
    const reason = this.refusal(ip);
    if (reason !== undefined) return this.refuse(socket, ip, reason);
    this.open++;
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    this.readFirstFrame(socket, ip);
  }

  release(address: string): void {
    const n = this.perIp.get(address);
    if (n === undefined) return;
    this.open--;
    if (n <= 1) this.perIp.delete(address);
    else this.perIp.set(address, n - 1);
  }

  /** Reads until one frame decodes (or the wait ends), then stops the handle and hands the socket over. */
  private readFirstFrame(socket: Socket, ip: string): void {
    const decoder = this.options.decoder();
    const chunks: Buffer[] = [];
    let first: Decoded<T> | undefined;
    let done = false;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      if (done) return;
      first = decoder.push(chunk)[0];
      if (first !== undefined) finish();
    };
    const onGone = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.waiting.delete(socket);
      this.release(ip);
    };
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const handle = (socket as unknown as { _handle?: ReadableHandle })._handle;
      // `reading` stays true meanwhile, so the stream's own reads do not start the handle again.
      handle?.readStop?.();
      // Chunks libuv already gave the stream still arrive as 'data' on this turn's ticks: take them too.
      setImmediate(() => {
        socket.pause();
        socket.off('data', onData);
        for (let c = socket.read() as Buffer | null; c !== null; c = socket.read() as Buffer | null) chunks.push(c);
        socket.off('close', onGone);
        socket.off('error', onSocketError);
        this.waiting.delete(socket);
        if (socket.destroyed) return this.release(ip);
        // Whoever reads this socket next (an adopter in this process) starts the handle again.
        if (handle !== undefined) handle.reading = false;
        this.handedSubject.next({ socket, head: Buffer.concat(chunks), first, address: ip });
      });
    };
    const onSocketError = (err: Error): void => this.options.logger?.debug('tcp.handoff_socket_error', { address: ip, err });
    const waitMs = this.options.firstFrameTimeoutMs ?? TRANSPORT_DEFAULTS.idleTimeoutMs;
    const timer = waitMs > 0 ? setTimeout(finish, waitMs).unref() : undefined;
    this.waiting.add(socket);
    socket.on('data', onData);
    socket.on('close', onGone);
    socket.on('error', onSocketError);
    socket.resume();
  }

  private refuse(socket: Socket, ip: string, reason: Refusal['reason']): void {
    socket.on('error', (err) => this.options.logger?.debug('tcp.refused_socket_error', { address: ip, err }));
    this.refusedSubject.next(refusalOf(ip, reason));
    // As tcp-listener.ts: the ERROR frame, then read and discard (bounded) until the peer's FIN or the timer.
    let discarded = 0;
    socket.on('data', (chunk: Buffer) => {
      discarded += chunk.byteLength;
      if (discarded > TRANSPORT_DEFAULTS.closeDiscardBytes) socket.destroy();
    });
    socket.resume();
    const frame = this.options.refusalFrame?.(REFUSAL_TEXT[reason]);
    if (frame) socket.end(frame);
    else socket.end();
    setTimeout(() => socket.destroy(), this.options.closeTimeoutMs ?? TRANSPORT_DEFAULTS.closeTimeoutMs).unref();
  }

  close(): Promise<void> {
    // The port closes at once; the server's 'close' would also wait for the handed-over sockets
    // (Node polls the workers for them), which are the workers' to close.
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close((err) => err && this.options.logger?.debug('tcp.server_close', { err }));
      for (const s of this.waiting) s.destroy();
      this.handedSubject.complete();
      this.refusedSubject.complete();
      resolve();
    });
    return this.closing;
  }
}
