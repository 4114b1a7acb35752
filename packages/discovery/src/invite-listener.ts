/**
 * Invitations delivered the Java way (docs/protocol.md §3.8): the draft authors' Java server does
 * not multicast SERVER_INVITE but opens a TCP connection to the invitee's address on the discovery
 * port and writes a PeerPDU there (three times, one interval apart), and it exits when nobody
 * listens. This listener takes those connections: each one's bytes, up to the sender's FIN (or a
 * deadline), are one PDU. Bounded: a few connections at once and a second, a datagram's worth of
 * bytes each, a deadline; everything else is dropped and counted, never thrown. Reading the PDU is
 * direct-invites.ts; this file only moves bytes.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Subject, type Observable } from 'rxjs';
import { DEFAULT_MAX_DATAGRAM_BYTES, DISCOVERY_PORT } from '@ims/codec';
import type { Datagram } from './datagram-port.js';
import { DiscoveryError } from './errors.js';

/** Options of {@link listenForInvites}. */
export interface InviteListenerOptions {
  /** Address to listen on: the one our PeerPDUs come from. @default '127.0.0.1' */
  readonly address?: string;
  /** TCP port: the discovery port, where the Java server delivers. @default 55555 */
  readonly port?: number;
  /** Bytes one connection may send; a connection sending more is dropped unread. @default 1400 (one datagram) */
  readonly maxBytes?: number;
  /** ms a connection may stay open; at the deadline what it sent is read as its PDU. @default 2000 */
  readonly timeoutMs?: number;
  /** Connections open at once; more are closed at accept. @default 16 */
  readonly maxConnections?: number;
  /** Connections accepted per second (from everyone); more are closed at accept. The Java server opens 3 per invitation, one interval apart. @default 20 */
  readonly maxConnectionsPerSecond?: number;
}

/** Counters of the listener (what was dropped, and why). */
export interface InviteListenerStats {
  /** Connections accepted. */
  readonly accepted: number;
  /** Connections closed at accept: `maxConnections` were open, or `maxConnectionsPerSecond` were accepted this second. */
  readonly refused: number;
  /** Connections dropped for sending more than `maxBytes`. */
  readonly oversize: number;
  /** Connections that ended without a byte. */
  readonly empty: number;
  /** PDUs handed on (`pdus$`). */
  readonly received: number;
}

/** A bound invitation listener. */
export interface InviteListener {
  /** Bound address. */
  readonly address: string;
  /** Bound port. */
  readonly port: number;
  /** One value per connection that sent at most `maxBytes`: its bytes, from its remote address and port. Completes on close. */
  readonly pdus$: Observable<Datagram>;
  /** Counters so far. */
  stats(): InviteListenerStats;
  /** Stops listening, drops open connections, completes `pdus$`. Idempotent. */
  close(): Promise<void>;
}

interface Limits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerSecond: number;
}

function limitsOf(options: InviteListenerOptions): Limits {
  const limits = {
    maxBytes: options.maxBytes ?? DEFAULT_MAX_DATAGRAM_BYTES,
    timeoutMs: options.timeoutMs ?? 2_000,
    maxConnections: options.maxConnections ?? 16,
    maxConnectionsPerSecond: options.maxConnectionsPerSecond ?? 20,
  };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new DiscoveryError('INVALID_OPTION', `invite listener: ${key} must be a positive integer, got ${value}`);
  }
  return limits;
}

/** Listens for invitation connections; rejects with DiscoveryError('BIND_FAILED') (e.g. another peer on this machine holds the port). */
export async function listenForInvites(options: InviteListenerOptions = {}): Promise<InviteListener> {
  const limits = limitsOf(options);
  const address = options.address ?? '127.0.0.1';
  const port = options.port ?? DISCOVERY_PORT;
  const pdus = new Subject<Datagram>();
  const stats = { accepted: 0, refused: 0, oversize: 0, empty: 0, received: 0 };
  const open = new Set<Socket>();
  const window = { start: 0, count: 0 };
  const overRate = (): boolean => {
    const now = Date.now();
    if (now - window.start >= 1_000) Object.assign(window, { start: now, count: 0 });
    window.count += 1;
    return window.count > limits.maxConnectionsPerSecond;
  };
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    if (open.size >= limits.maxConnections || overRate()) {
      stats.refused += 1;
      socket.destroy();
      return;
    }
    stats.accepted += 1;
    open.add(socket);
    // Read now: a destroyed socket no longer knows its peer.
    const from = { address: plainIPv4(socket.remoteAddress), port: socket.remotePort ?? 0 };
    readOne(socket, limits, (bytes) => {
      open.delete(socket);
      if (bytes === 'oversize') stats.oversize += 1;
      else if (bytes.byteLength === 0) stats.empty += 1;
      else {
        stats.received += 1;
        pdus.next({ data: bytes, from });
      }
    });
  });
  await bind(server, address, port);
  let closing: Promise<void> | undefined;
  return {
    address,
    port: (server.address() as { port: number }).port,
    pdus$: pdus.asObservable(),
    stats: () => ({ ...stats }),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        open.clear();
        pdus.complete();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}

function bind(server: Server, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new DiscoveryError('BIND_FAILED', `cannot listen for invitations on TCP ${address}:${port} (${err.code ?? err.message})`, { cause: err }));
    });
    server.listen({ host: address, port, exclusive: true }, () => {
      // Later server errors (none are expected once listening) must not crash the process.
      server.on('error', () => undefined);
      resolve();
    });
  });
}

/** Collects one connection's bytes until its FIN or the deadline, then closes it; `done` runs once. */
function readOne(socket: Socket, limits: Limits, done: (bytes: Uint8Array | 'oversize') => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (result: Uint8Array | 'oversize'): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.destroy();
    done(result);
  };
  const timer = setTimeout(() => finish(Buffer.concat(chunks)), limits.timeoutMs);
  socket.on('data', (chunk: Buffer) => {
    size += chunk.byteLength;
    if (size > limits.maxBytes) finish('oversize');
    else chunks.push(chunk);
  });
  socket.on('end', () => finish(Buffer.concat(chunks)));
  // A reset before the FIN: what arrived is all there will be.
  socket.on('error', () => finish(Buffer.concat(chunks)));
  socket.on('close', () => finish(Buffer.concat(chunks)));
}

/** `::ffff:10.0.0.1` → `10.0.0.1`, so addresses compare with the PDUs' source addresses. */
function plainIPv4(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
