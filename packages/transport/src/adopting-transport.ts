/**
 * The receiving half of a socket handoff (see handoff-acceptor.ts): a Transport whose listener
 * binds nothing and yields the sockets given to `adopt`, each wrapped as a framed connection that
 * reads the bytes the acceptor already read first. Dials and the end-of-turn hooks are TCP's, so
 * the adopted connections share the flush scheduler with everything else in the process.
 */
import type { Socket } from 'node:net';
import { type Observable, Subject } from 'rxjs';
import type { Connection, ConnectionOptions } from './connection.js';
import { REFUSAL_TEXT, refusalOf } from './listener-caps.js';
import { TRANSPORT_DEFAULTS } from './limits.js';
import { ScreenedConnection, type FrameScreen } from './screened-connection.js';
import { wrapSocket } from './tcp-connection.js';
import { tcpTransport } from './tcp-transport.js';
import type { ListenOptions, Listener, Refusal, Transport } from './transport.js';

/** Options of {@link adoptingTransport}. */
export interface AdoptingTransportOptions {
  /** The address and port the acceptor listens on (what the listener reports and the host announces). */
  readonly endpoint: { readonly address: string; readonly port: number };
  /** Called once per adopted connection when it is gone (e.g. to release its place in the acceptor's caps). @default none */
  readonly onReleased?: (conn: Connection<unknown>) => void;
}

/** A Transport fed by handed-over sockets. */
export interface AdoptingTransport extends Transport {
  /**
   * Wraps a socket handed over from another process (paused, not yet read here) as a connection of the
   * listener, with `head` (the bytes the acceptor read) delivered before anything else. Without a
   * listener, or while it closes, the socket is refused (NOT_ACCEPTING) like an unobserved accept.
   * With `screen`, its frames pass it before the owner sees them (screened-connection.ts).
   * Returns the connection, undefined when refused.
   */
  adopt(socket: Socket, head: Uint8Array, screen?: FrameScreen): Connection<unknown> | undefined;
}

/** A transport whose `listen` serves sockets handed over by another process's {@link acceptForHandoff}. */
export function adoptingTransport(options: AdoptingTransportOptions): AdoptingTransport {
  let listener: AdoptedListener<unknown> | undefined;
  return {
    listen: <T>(opts: ListenOptions<T>): Promise<Listener<T>> => {
      const l = new AdoptedListener<T>(options, opts);
      listener = l as AdoptedListener<unknown>;
      return Promise.resolve(l);
    },
    dial: (opts) => tcpTransport.dial(opts),
    beforeFlush: (cb) => tcpTransport.beforeFlush(cb),
    afterFlush: (cb) => tcpTransport.afterFlush(cb),
    adopt: (socket, head, screen) => {
      if (listener !== undefined) return listener.adopt(socket, head, screen);
      refuseAdopted(socket, undefined);
      return undefined;
    },
  };
}

/** Ends a socket nobody serves, with the listener's refusal frame when there is one. */
function refuseAdopted(socket: Socket, frame: Uint8Array | undefined): void {
  socket.on('error', () => socket.destroy());
  socket.resume();
  if (frame) socket.end(frame);
  else socket.end();
  setTimeout(() => socket.destroy(), TRANSPORT_DEFAULTS.closeTimeoutMs).unref();
}

class AdoptedListener<T> implements Listener<T> {
  private readonly subject = new Subject<Connection<T>>();
  private readonly refusedSubject = new Subject<Refusal>();
  readonly connections$: Observable<Connection<T>>;
  readonly refused$: Observable<Refusal>;
  readonly address: string;
  readonly port: number;
  private readonly open = new Set<Connection<T>>();
  private readonly connOptions: ConnectionOptions<T>;
  private closing: Promise<void> | undefined;
  private allClosed: (() => void) | undefined;

  constructor(
    private readonly transportOptions: AdoptingTransportOptions,
    private readonly options: ListenOptions<T>,
  ) {
    this.address = transportOptions.endpoint.address;
    this.port = transportOptions.endpoint.port;
    this.connOptions = { ...options, onClosed: this.release };
    this.connections$ = this.subject.asObservable();
    this.refused$ = this.refusedSubject.asObservable();
  }

  get connectionCount(): number {
    return this.open.size;
  }

  adopt(socket: Socket, head: Uint8Array, screen: FrameScreen | undefined): Connection<T> | undefined {
    if (this.closing !== undefined || !this.subject.observed) {
      this.refusedSubject.next(refusalOf(socket.remoteAddress ?? 'unknown', 'unobserved'));
      refuseAdopted(socket, this.options.refusalFrame?.(REFUSAL_TEXT.unobserved));
      return undefined;
    }
    // Front of the stream's buffer: the connection's first 'data' is what the acceptor read.
    if (head.byteLength > 0) socket.unshift(head);
    const conn = wrapSocket(socket, this.connOptions);
    this.open.add(conn);
    this.subject.next(screen === undefined ? conn : new ScreenedConnection(conn, screen, this.options.refusalFrame));
    return conn;
  }

  private readonly release = (conn: Connection<T>): void => {
    if (!this.open.delete(conn)) return;
    this.options.onClosed?.(conn);
    this.transportOptions.onReleased?.(conn as Connection<unknown>);
    if (this.open.size === 0) this.allClosed?.();
  };

  close(reason = 'server stopping'): Promise<void> {
    this.closing ??= (async () => {
      const allGone = this.open.size === 0 ? Promise.resolve() : new Promise<void>((r) => (this.allClosed = r));
      for (const conn of this.open) conn.close(reason);
      this.subject.complete();
      this.refusedSubject.complete();
      await allGone;
    })();
    return this.closing;
  }
}
