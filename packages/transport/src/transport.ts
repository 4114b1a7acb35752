/**
 * The transport seam: what the host service and the member session need from a network (listen,
 * dial, and one hook on the end-of-turn flush), in the spirit of aedes' `handle(stream)` and
 * nats.js' `Transport`. `tcpTransport` is the real one; `memoryTransport()` runs the same contract
 * on an injected scheduler, so their logic is tested in virtual time.
 */
import type { Observable } from 'rxjs';
import type { Connection, ConnectionOptions } from './connection.js';

/** Options of {@link Transport.listen}. */
export interface ListenOptions<T> extends ConnectionOptions<T> {
  /** Address to bind. @default '127.0.0.1' (TCP); the transport's own address (memory) */
  readonly address?: string;
  /** Port to bind; 0 picks a free port in 49152–65535. @default 0 */
  readonly port?: number;
  /** Random ports tried when `port` is 0 (TCP). @default 64 */
  readonly portTries?: number;
  /** Open connections in total; more are refused at accept. @default 10_000 */
  readonly maxConnections?: number;
  /** Open connections from one IP address; more are refused at accept. @default 2048 */
  readonly maxConnectionsPerIp?: number;
  /** New connections accepted per second from one IP address (token bucket refill); more are refused at accept. @default 20 */
  readonly connectionRatePerIp?: number;
  /** New connections one IP address may open at once (bucket size). @default 1024 */
  readonly connectionBurstPerIp?: number;
  /** Bytes written to a refused connection before closing it (an encoded ERROR frame). @default none */
  readonly refusalFrame?: (reason: string) => Uint8Array;
}

/** Options of {@link Transport.dial}. */
export interface DialOptions<T> extends ConnectionOptions<T> {
  /** Host address to connect to. */
  readonly host: string;
  /** Port to connect to. */
  readonly port: number;
  /**
   * Source address to dial from: the address we announce (`--interface`), so a server that tells
   * clients apart by TCP source address sees that one (docs/protocol.md §3.1). @default none (the OS picks)
   */
  readonly localAddress?: string;
  /** ms before the attempt fails with CONNECT_TIMEOUT. @default 5_000 */
  readonly connectTimeoutMs?: number;
  /** Slowloris guard of the connection; a client waits for its server as long as it likes. @default 0 (disabled) */
  readonly idleTimeoutMs?: number;
  /** Secure mode: the dial fails with PEER_MISMATCH unless the remote proves this peer ID; ignored in plain mode. @default none (any admitted peer) */
  readonly expectPeerId?: string;
}

/** Why an incoming connection was refused at accept (or, in secure mode, at its handshake). */
export interface Refusal {
  /** Source address of the refused connection. */
  readonly address: string;
  /**
   * Which cap refused it (`unobserved`: nobody subscribed to `connections$`, or the listener is
   * closing; `handshake-failed`: secure mode, the TLS handshake failed, timed out or proved a peer
   * the policy refuses).
   */
  readonly reason: 'max-connections' | 'max-connections-per-ip' | 'connection-rate-per-ip' | 'unobserved' | 'handshake-failed';
  /** The code of the ERROR the peer was sent (docs/protocol.md §6.2), e.g. `MAX_CONNECTIONS_PER_IP`; `SECURE_HANDSHAKE` for a failed handshake (nothing is sent). */
  readonly code: string;
}

/** A bound listener. */
export interface Listener<T> {
  /** Bound address. */
  readonly address: string;
  /** Bound port. */
  readonly port: number;
  /** Accepted connections (hot; subscribe before announcing the port: unobserved ones are refused). */
  readonly connections$: Observable<Connection<T>>;
  /** Connections refused by the caps, or by a failed handshake in secure mode (for metrics). */
  readonly refused$: Observable<Refusal>;
  /** Open connections (in secure mode, handshakes in flight too: they hold their slot). */
  readonly connectionCount: number;
  /** Stops accepting (later dials are refused), closes every open connection gracefully with `reason`, resolves when all are gone. */
  close(reason?: string): Promise<void>;
}

/** A network to listen on and dial into. */
export interface Transport {
  /** Binds and resolves once listening. Rejects with TransportError LISTEN_FAILED. */
  listen<T>(options: ListenOptions<T>): Promise<Listener<T>>;
  /** Connects; rejects with TransportError CONNECTION_REFUSED (nothing listens), CONNECT_TIMEOUT or CONNECT_FAILED; in secure mode also HANDSHAKE_FAILED or PEER_MISMATCH. */
  dial<T>(options: DialOptions<T>): Promise<Connection<T>>;
  /** Runs `cb` once at the end of this turn, before the turn's queued writes are handed to the network; writes made in `cb` join them. */
  beforeFlush(cb: () => void): void;
  /** Runs `cb` once, right after the writes queued so far were handed to the network (the end-of-turn flush). */
  afterFlush(cb: () => void): void;
}
