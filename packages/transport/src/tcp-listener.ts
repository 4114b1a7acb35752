/**
 * TCP listener: an Observable of framed connections, with connection caps (total and per IP)
 * enforced before anything is read. Ports follow the draft: 49152–65535, port 0 = a random free
 * one in that range. Loopback unless an address is given.
 */
import { type Server, type Socket, createServer } from 'node:net';
import { SERVER_PORT_MAX, SERVER_PORT_MIN } from '@ims/codec';
import type { Observable} from 'rxjs';
import { Subject } from 'rxjs';
import type { Logger } from '@ims/app-kit';
import { type ConnectionOptions, type TcpConnection, normalizeAddress, wrapSocket } from './tcp-connection.js';
import { TRANSPORT_DEFAULTS } from './limits.js';
import { TransportError } from './transport-error.js';

/** Options of {@link listenTcp}. */
export interface ListenOptions<T> extends ConnectionOptions<T> {
  /** Address to bind. @default '127.0.0.1' */
  readonly address?: string;
  /** Port to bind; 0 picks a random free port in 49152–65535. @default 0 */
  readonly port?: number;
  /** Random ports tried when `port` is 0. @default 64 */
  readonly portTries?: number;
  /** Open connections in total; more are refused at accept. @default 10_000 */
  readonly maxConnections?: number;
  /** Open connections from one IP address; more are refused at accept. @default 256 */
  readonly maxConnectionsPerIp?: number;
  /** Bytes written to a refused socket before closing it (an encoded ERROR frame). @default none */
  readonly refusalFrame?: (reason: string) => Uint8Array;
}

/** Why an incoming connection was refused at accept. */
export interface Refusal {
  readonly address: string;
  readonly reason: 'max-connections' | 'max-connections-per-ip' | 'unobserved';
}

const REFUSAL_TEXT: Record<Refusal['reason'], string> = {
  'max-connections': 'max connections reached, try later',
  'max-connections-per-ip': 'max connections per ip reached, try later',
  unobserved: 'not accepting connections',
};

/** A bound TCP listener. */
export interface TcpListener<T> {
  /** Bound address. */
  readonly address: string;
  /** Bound port. */
  readonly port: number;
  /** Accepted connections (hot; subscribe before announcing the port: unobserved ones are refused). */
  readonly connections$: Observable<TcpConnection<T>>;
  /** Connections refused by the caps (for metrics). */
  readonly refused$: Observable<Refusal>;
  /** Open connections. */
  readonly connectionCount: number;
  /** Stops accepting, closes every open connection gracefully with `reason`, resolves when all are gone. */
  close(reason?: string): Promise<void>;
}

/** Binds a TCP server and resolves once it listens. Rejects with TransportError LISTEN_FAILED. */
export async function listenTcp<T>(options: ListenOptions<T>): Promise<TcpListener<T>> {
  const address = options.address ?? '127.0.0.1';
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
  const port = await bind(server, address, options.port ?? 0, options.portTries ?? TRANSPORT_DEFAULTS.portTries);
  return new Listener(server, address, port, options);
}

class Listener<T> implements TcpListener<T> {
  private readonly subject = new Subject<TcpConnection<T>>();
  private readonly refusedSubject = new Subject<Refusal>();
  private readonly open = new Set<TcpConnection<T>>();
  private readonly perIp = new Map<string, number>();
  private readonly max: number;
  private readonly maxPerIp: number;
  private readonly logger: Logger | undefined;
  private readonly connOptions: ConnectionOptions<T>;
  readonly connections$: Observable<TcpConnection<T>>;
  readonly refused$: Observable<Refusal>;
  private closing: Promise<void> | undefined;
  /** Refusal log throttle: an attacker opening thousands of sockets must not flood the log too. */
  private lastRefusalLog = 0;
  private suppressedRefusals = 0;

  constructor(
    private readonly server: Server,
    readonly address: string,
    readonly port: number,
    private readonly options: ListenOptions<T>,
  ) {
    this.max = options.maxConnections ?? TRANSPORT_DEFAULTS.maxConnections;
    this.maxPerIp = options.maxConnectionsPerIp ?? TRANSPORT_DEFAULTS.maxConnectionsPerIp;
    this.logger = options.logger;
    this.connOptions = { ...options, onClosed: this.release };
    this.connections$ = this.subject.asObservable();
    this.refused$ = this.refusedSubject.asObservable();
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (err) => this.logger?.error('tcp.server_error', { err }));
  }

  get connectionCount(): number {
    return this.open.size;
  }

  private accept(socket: Socket): void {
    const ip = normalizeAddress(socket.remoteAddress ?? 'unknown');
    const reason =
      this.closing !== undefined || !this.subject.observed
        ? 'unobserved'
        : this.open.size >= this.max
          ? 'max-connections'
          : (this.perIp.get(ip) ?? 0) >= this.maxPerIp
            ? 'max-connections-per-ip'
            : undefined;
    if (reason !== undefined) {
      this.refuse(socket, ip, reason);
      return;
    }
    const conn = wrapSocket(socket, this.connOptions);
    this.open.add(conn);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    this.subject.next(conn);
  }

  /** Every connection's `onClosed` (one function, not a closure per connection). */
  private readonly release = (conn: TcpConnection<T>): void => {
    this.open.delete(conn);
    // The connection's remoteAddress is normalised like `ip` in accept().
    const ip = conn.remoteAddress;
    const n = (this.perIp.get(ip) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(ip);
    else this.perIp.set(ip, n);
    this.options.onClosed?.(conn);
  };

  private refuse(socket: Socket, ip: string, reason: Refusal['reason']): void {
    socket.on('error', (err) => this.logger?.debug('tcp.refused_socket_error', { address: ip, err }));
    const now = Date.now();
    if (now - this.lastRefusalLog >= 1_000) {
      this.logger?.warn('tcp.refused', { address: ip, reason, suppressed: this.suppressedRefusals });
      this.lastRefusalLog = now;
      this.suppressedRefusals = 0;
    } else {
      this.suppressedRefusals++;
    }
    this.refusedSubject.next({ address: ip, reason });
    const frame = this.options.refusalFrame?.(REFUSAL_TEXT[reason]);
    // end() flushes the ERROR frame first; reading (and discarding) lets the peer's FIN close the
    // socket at once; the timer covers a peer that never reads.
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
      const connsClosed = [...this.open].map((conn) => new Promise<void>((r) => conn.onClose(() => r())));
      for (const conn of this.open) conn.close(reason);
      this.subject.complete();
      this.refusedSubject.complete();
      await Promise.all([serverClosed, ...connsClosed]);
    })();
    return this.closing;
  }
}

function bind(server: Server, address: string, port: number, tries: number): Promise<number> {
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
