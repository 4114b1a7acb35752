/**
 * TCP listener: an Observable of framed connections, with connection caps (total and per IP)
 * enforced before anything is read. Ports follow the draft: 49152–65535, port 0 = a random free
 * one in that range. Loopback unless an address is given.
 */
import { type Server, type Socket, createServer } from 'node:net';
import { SERVER_PORT_MAX, SERVER_PORT_MIN } from '@ims/codec';
import { type Observable, Subject } from 'rxjs';
import type { Logger } from '@ims/app-kit';
import type { Connection, ConnectionOptions } from './connection.js';
import { normalizeAddress, wrapSocket } from './tcp-connection.js';
import { type CapsEntry, ListenerCaps, REFUSAL_TEXT, refusalOf } from './listener-caps.js';
import { TRANSPORT_DEFAULTS } from './limits.js';
import { TransportError } from './transport-error.js';
import type { ListenOptions, Listener, Refusal } from './transport.js';

/** Binds a TCP server and resolves once it listens. Rejects with TransportError LISTEN_FAILED. */
export async function listenTcp<T>(options: ListenOptions<T>): Promise<Listener<T>> {
  return new TcpListener(...(await bindTcp(options)), options);
}

/** A node:net server bound as `options` ask (the server of every TCP listener, plain or secure). */
export async function bindTcp(options: ListenOptions<unknown>): Promise<[Server, string, number]> {
  const address = options.address ?? '127.0.0.1';
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
  const port = await bind(server, address, options.port ?? 0, options.portTries ?? TRANSPORT_DEFAULTS.portTries);
  return [server, address, port];
}

/** What holds a place in the caps: an open connection, or (secure-tcp-listener.ts) a handshake in flight. */
export interface ListenerSlot extends CapsEntry {
  /** Ends it (gracefully for a connection) when the listener closes. */
  close(reason: string): void;
}

/** The plain TCP listener; secure-tcp-listener.ts extends it with the TLS handshake after the caps. */
export class TcpListener<T> implements Listener<T> {
  protected readonly subject = new Subject<Connection<T>>();
  protected readonly refusedSubject = new Subject<Refusal>();
  protected readonly caps: ListenerCaps<ListenerSlot>;
  protected readonly logger: Logger | undefined;
  protected readonly connOptions: ConnectionOptions<T>;
  readonly connections$: Observable<Connection<T>>;
  readonly refused$: Observable<Refusal>;
  protected closing: Promise<void> | undefined;
  /** Resolves `close()` once the last open connection is gone. */
  private allClosed: (() => void) | undefined;

  constructor(
    private readonly server: Server,
    readonly address: string,
    readonly port: number,
    protected readonly options: ListenOptions<T>,
  ) {
    this.logger = options.logger;
    this.caps = new ListenerCaps(options, this.logger, Date.now);
    this.connOptions = { ...options, onClosed: this.release };
    this.connections$ = this.subject.asObservable();
    this.refused$ = this.refusedSubject.asObservable();
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (err) => this.logger?.error('tcp.server_error', { err }));
  }

  get connectionCount(): number {
    return this.caps.open.size;
  }

  private accept(socket: Socket): void {
    const ip = normalizeAddress(socket.remoteAddress ?? 'unknown');
    const reason = this.caps.refusal(ip, this.closing === undefined && this.subject.observed);
    if (reason !== undefined) {
      this.refuse(socket, ip, reason);
      return;
    }
    this.admit(socket, ip);
  }

  /** Serves a socket the caps admitted: plain TCP wraps it at once. */
  protected admit(socket: Socket, _ip: string): void {
    const conn = wrapSocket(socket, this.connOptions);
    this.caps.add(conn);
    this.subject.next(conn);
  }

  /** Every connection's `onClosed` (one function, not a closure per connection). */
  private readonly release = (conn: Connection<T>): void => {
    this.caps.release(conn);
    this.options.onClosed?.(conn);
    this.releasedSlot();
  };

  /** A slot was given back: `close()` resolves once the last one is. */
  protected releasedSlot(): void {
    if (this.caps.open.size === 0) this.allClosed?.();
  }

  private refuse(socket: Socket, ip: string, reason: Refusal['reason']): void {
    socket.on('error', (err) => this.logger?.debug('tcp.refused_socket_error', { address: ip, err }));
    this.caps.logRefusal(ip, reason);
    this.refusedSubject.next(refusalOf(ip, reason));
    const frame = this.options.refusalFrame?.(REFUSAL_TEXT[reason]);
    // end() flushes the ERROR frame first; reading (and discarding) lets the peer's FIN close the
    // socket at once; the timer covers a peer that never reads. A peer that floods instead is
    // destroyed after closeDiscardBytes: a refusal costs one read, not its flood.
    let discarded = 0;
    socket.on('data', (chunk: Buffer) => {
      discarded += chunk.byteLength;
      if (discarded > TRANSPORT_DEFAULTS.closeDiscardBytes) socket.destroy();
    });
    socket.resume();
    if (frame) socket.end(frame);
    else socket.end();
    setTimeout(() => socket.destroy(), this.options.closeTimeoutMs ?? TRANSPORT_DEFAULTS.closeTimeoutMs).unref();
  }

  close(reason = 'server stopping'): Promise<void> {
    this.closing ??= (async () => {
      const serverClosed = new Promise<void>((r) => this.server.close(() => r()));
      // Wait for our own close events, not just the server's: Node may report the server closed
      // before the sockets' 'close' handlers (and so the owner's bookkeeping) have run.
      const connsClosed = this.caps.open.size === 0 ? Promise.resolve() : new Promise<void>((r) => (this.allClosed = r));
      for (const conn of this.caps.open) conn.close(reason);
      this.subject.complete();
      this.refusedSubject.complete();
      await Promise.all([serverClosed, connsClosed]);
    })();
    return this.closing;
  }
}

/** Binds `server` (port 0: random free ports of the draft's range, `tries` times); also used by handoff-acceptor.ts. */
export function bind(server: Server, address: string, port: number, tries: number): Promise<number> {
  if (port !== 0 && (port < SERVER_PORT_MIN || port > SERVER_PORT_MAX)) {
    return Promise.reject(new TransportError('LISTEN_FAILED', `port ${port} is outside ${SERVER_PORT_MIN}–${SERVER_PORT_MAX}`));
  }
  const attempt = (left: number): Promise<number> => {
    const p = port !== 0 ? port : SERVER_PORT_MIN + Math.floor(Math.random() * (SERVER_PORT_MAX - SERVER_PORT_MIN + 1));
    return listenOnce(server, address, p).catch((err: NodeJS.ErrnoException) => {
      if (port === 0 && err.code === 'EADDRINUSE' && left > 1) return attempt(left - 1);
      throw new TransportError('LISTEN_FAILED', `cannot listen on ${address}:${p} (${err.code ?? err.message})`, { cause: err });
    });
  };
  return attempt(tries);
}

function listenOnce(server: Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve(port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: address, port, exclusive: true });
  });
}
