/**
 * An in-memory network with the contract of `tcpTransport` (test/describe-transport.ts), for unit
 * tests of the host service and the member session: every delay (delivery, idle, close and
 * connect timeouts) comes from the injected scheduler, so a `VirtualTimeScheduler` runs minutes of
 * protocol time in milliseconds. Bytes still go through the real codec at both ends.
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { SERVER_PORT_MAX, SERVER_PORT_MIN } from '@ims/codec';
import type { Connection } from './connection.js';
import type { Flushable } from './flush-scheduler.js';
import { TRANSPORT_DEFAULTS } from './limits.js';
import { MemoryConnection } from './memory-connection.js';
import { type MemoryHub, MemoryListener } from './memory-listener.js';
import { TransportError } from './transport-error.js';
import type { DialOptions, ListenOptions, Listener, Transport } from './transport.js';

/** Options of {@link memoryTransport}. */
export interface MemoryTransportOptions {
  /** Clock of every delay; a `VirtualTimeScheduler` makes them virtual. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** Source address of this transport's dials, and its default listen address. @default '127.0.0.1' */
  readonly address?: string;
  /** The peer ID this first view proves (see {@link MemoryViewOptions.peerId}). @default none (plain mode) */
  readonly peerId?: string;
}

/** Options of {@link MemoryTransport.at}. */
export interface MemoryViewOptions {
  /**
   * Secure mode in memory, as `secureTcpTransport` proves it by TLS: every connection this view
   * dials or accepts shows the other end this `peerId` (`Connection.peerId`), and a dial with
   * `expectPeerId` from a proving view to one of its listeners succeeds only if it matches. A view
   * without one is plain: its connections show the other end no peer ID, a proving view's dial
   * with `expectPeerId` to its listener fails with PEER_MISMATCH, and its own dials ignore
   * `expectPeerId` (as `tcpTransport`). Plain and proving views still reach each other (no
   * handshake is modelled). @default none (plain)
   */
  readonly peerId?: string;
}

/** A transport on an in-memory network, with the faults a test needs. */
export interface MemoryTransport extends Transport {
  /** Source address of this transport's dials. */
  readonly address: string;
  /** The peer ID this view proves to the other end of its connections; undefined for a plain view. */
  readonly peerId?: string;
  /**
   * The same network seen from another host: its dials come from `address` (per-IP caps,
   * identification by address); with `options.peerId` it proves that peer ID (e.g.
   * `net.at('10.0.0.5', { peerId: 'k…' })`; `at(net.address, { peerId })` for this host).
   */
  at(address: string, options?: MemoryViewOptions): MemoryTransport;
  /** The endpoint dies: its listener is gone (later dials are refused) and every connection it accepted is reset. False if nothing listened there. */
  kill(address: string, port: number): boolean;
  /** Dials to `address:port` get no answer (SYNs dropped) and fail with CONNECT_TIMEOUT, until the returned function is called. */
  blackhole(address: string, port: number): () => void;
}

/** Ephemeral source ports, as Linux picks them. */
const SOURCE_PORT_MIN = 32_768;
const SOURCE_PORT_MAX = 60_999;

class MemoryNetwork implements MemoryHub {
  private readonly listeners = new Map<string, object>();
  private readonly blackholes = new Map<string, number>();
  private ids = 0;
  private nextPort = SERVER_PORT_MIN;
  private nextSourcePort = SOURCE_PORT_MIN;
  private pending = new Set<Flushable>();
  private before: (() => void)[] = [];
  private after: (() => void)[] = [];
  private flushScheduled = false;

  constructor(readonly scheduler: SchedulerLike) {}

  nextId(): string {
    return `c${++this.ids}`;
  }

  // One flush per turn for every connection, then the afterFlush callbacks (flush-scheduler.ts).
  scheduleFlush(conn: Flushable): void {
    this.pending.add(conn);
    this.scheduleFlushAll();
  }

  cancelFlush(conn: Flushable): void {
    this.pending.delete(conn);
  }

  beforeFlush(cb: () => void): void {
    this.before.push(cb);
    this.scheduleFlushAll();
  }

  afterFlush(cb: () => void): void {
    this.after.push(cb);
    this.scheduleFlushAll();
  }

  private scheduleFlushAll(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.scheduler.schedule(() => {
      this.flushScheduled = false;
      const first = this.before;
      this.before = [];
      for (const cb of first) cb();
      const batch = this.pending;
      const callbacks = this.after;
      this.pending = new Set();
      this.after = [];
      for (const f of batch) f.flush();
      for (const cb of callbacks) cb();
    });
  }

  unbind(listener: { readonly address: string; readonly port: number }): void {
    const key = `${listener.address}:${listener.port}`;
    if (this.listeners.get(key) === listener) this.listeners.delete(key);
  }

  listen<T>(options: ListenOptions<T>, defaultAddress: string, peerId: string | undefined): Promise<Listener<T>> {
    const address = options.address ?? defaultAddress;
    const port = this.pickPort(address, options.port ?? 0);
    if (typeof port === 'string') return Promise.reject(new TransportError('LISTEN_FAILED', `cannot listen on ${address}:${options.port ?? 0} (${port})`));
    const listener = new MemoryListener<T>(this, address, port, options, peerId);
    this.listeners.set(`${address}:${port}`, listener);
    return Promise.resolve(listener);
  }

  /** The port to bind, or why none can be. Port 0 takes the next free one in 49152–65535, round robin. */
  private pickPort(address: string, port: number): number | string {
    if (port !== 0) {
      if (port < SERVER_PORT_MIN || port > SERVER_PORT_MAX) return `port outside ${SERVER_PORT_MIN}–${SERVER_PORT_MAX}`;
      return this.listeners.has(`${address}:${port}`) ? 'EADDRINUSE' : port;
    }
    for (let tries = SERVER_PORT_MAX - SERVER_PORT_MIN + 1; tries > 0; tries--) {
      const p = this.nextPort;
      this.nextPort = p === SERVER_PORT_MAX ? SERVER_PORT_MIN : p + 1;
      if (!this.listeners.has(`${address}:${p}`)) return p;
    }
    return 'no free port';
  }

  dial<T>(options: DialOptions<T>, source: string, peerId: string | undefined): Promise<Connection<T>> {
    const where = `${options.host}:${options.port}`;
    return new Promise((resolve, reject) => {
      if (this.blackholes.has(where)) {
        const ms = options.connectTimeoutMs ?? TRANSPORT_DEFAULTS.connectTimeoutMs;
        this.scheduler.schedule(() => reject(new TransportError('CONNECT_TIMEOUT', `connect to ${where} timed out after ${ms} ms`)), ms);
        return;
      }
      // The SYN arrives in a later action, never inside dial().
      this.scheduler.schedule(() => {
        const listener = this.listeners.get(where) as MemoryListener<unknown> | undefined;
        if (listener === undefined) {
          reject(new TransportError('CONNECTION_REFUSED', `connect to ${where} failed (ECONNREFUSED)`));
          return;
        }
        // As secure-tcp-dialer.ts after the handshake; here the listener never sees the dial. A
        // plain view ignores expectPeerId, as tcpTransport does (DialOptions).
        if (peerId !== undefined && options.expectPeerId !== undefined && listener.peerId !== options.expectPeerId) {
          reject(new TransportError('PEER_MISMATCH', `${where} proved peer ID ${listener.peerId ?? '(none)'}, expected ${options.expectPeerId}`));
          return;
        }
        const client = new MemoryConnection<T>(this, this.nextId(), listener.address, listener.port, { ...options, idleTimeoutMs: options.idleTimeoutMs ?? 0 });
        listener.accept(client as MemoryConnection<unknown>, source, this.sourcePort(), peerId);
        resolve(client);
      });
    });
  }

  private sourcePort(): number {
    const p = this.nextSourcePort;
    this.nextSourcePort = p === SOURCE_PORT_MAX ? SOURCE_PORT_MIN : p + 1;
    return p;
  }

  kill(address: string, port: number): boolean {
    const listener = this.listeners.get(`${address}:${port}`) as MemoryListener<unknown> | undefined;
    listener?.kill();
    return listener !== undefined;
  }

  blackhole(address: string, port: number): () => void {
    const key = `${address}:${port}`;
    this.blackholes.set(key, (this.blackholes.get(key) ?? 0) + 1);
    let lifted = false;
    return () => {
      if (lifted) return;
      lifted = true;
      const n = (this.blackholes.get(key) ?? 1) - 1;
      if (n <= 0) this.blackholes.delete(key);
      else this.blackholes.set(key, n);
    };
  }
}

function view(network: MemoryNetwork, address: string, peerId: string | undefined): MemoryTransport {
  return {
    address,
    peerId,
    listen: (options) => network.listen(options, address, peerId),
    dial: (options) => network.dial(options, options.localAddress ?? address, peerId),
    beforeFlush: (cb) => network.beforeFlush(cb),
    afterFlush: (cb) => network.afterFlush(cb),
    at: (other, options) => view(network, other, options?.peerId),
    kill: (a, p) => network.kill(a, p),
    blackhole: (a, p) => network.blackhole(a, p),
  };
}

/** A new in-memory network, seen from `options.address`; `at(address, { peerId? })` gives other hosts on it. */
export function memoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  return view(new MemoryNetwork(options.scheduler ?? asyncScheduler), options.address ?? '127.0.0.1', options.peerId);
}
