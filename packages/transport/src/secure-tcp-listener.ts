/**
 * The listener of secure mode (docs/security.md): the plain listener's caps at accept, before
 * anything is read, then TLS 1.3 (RFC 8446) server-side with a client certificate required. Only a
 * peer whose certificate chains to an accepted network CA and whose proven peer ID the policy admits
 * becomes a connection; anything else (another network, a plain client, a handshake that stalls)
 * is destroyed, reported on `refused$` as `handshake-failed` and logged once per address per 10 s,
 * before a single frame reaches the owner. A handshake in flight holds its slot in the caps.
 */
import type { Server, Socket } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';
import type { SecureMode } from '@ims/secure';
import type { Connection } from './connection.js';
import { AddressThrottle } from './address-throttle.js';
import { refusalOf } from './listener-caps.js';
import { type ListenerSlot, TcpListener, bindTcp } from './tcp-listener.js';
import { wrapSocket } from './tcp-connection.js';
import type { ListenOptions, Listener } from './transport.js';

/** What the listener and the dialer take from a SecureMode. */
export type SecureCredentials = Pick<SecureMode, 'provenPeerId'>;

/** Handshake failures of one address are logged at most once in this many ms. */
const HANDSHAKE_LOG_INTERVAL_MS = 10_000;

/** Binds a secure listener; every accepted socket must finish its handshake within `handshakeTimeoutMs`. */
export async function listenSecureTcp<T>(options: ListenOptions<T>, mode: SecureCredentials, context: () => SecureContext, handshakeTimeoutMs: number): Promise<Listener<T>> {
  const [server, address, port] = await bindTcp(options);
  return new SecureTcpListener(server, address, port, options, { mode, context, handshakeTimeoutMs });
}

/** The TLS side of a secure listener. */
interface SecureSide {
  readonly mode: SecureCredentials;
  /** The current TLS context (a new one after the mode's reload). */
  readonly context: () => SecureContext;
  readonly handshakeTimeoutMs: number;
}

/** A handshake in flight: its place in the caps until it becomes a connection or fails. */
class PendingHandshake implements ListenerSlot {
  settled = false;
  /** The listener closed: the socket goes without a refusal or a log line. */
  aborted = false;
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly tls: TLSSocket,
    readonly remoteAddress: string,
  ) {}

  close(): void {
    this.aborted = true;
    this.tls.destroy();
  }
}

class SecureTcpListener<T> extends TcpListener<T> {
  private readonly failures = new AddressThrottle(HANDSHAKE_LOG_INTERVAL_MS);

  constructor(server: Server, address: string, port: number, options: ListenOptions<T>, private readonly side: SecureSide) {
    super(server, address, port, options);
  }

  /** The caps admitted `socket`: it keeps its slot while its TLS handshake runs. */
  protected override admit(socket: Socket, ip: string): void {
    // rejectUnauthorized makes OpenSSL require a certificate; whether it chains to a network CA is
    // checked on 'secure' (a standalone TLSSocket, unlike tls.Server, does not refuse by itself).
    const tls = new TLSSocket(socket, { isServer: true, secureContext: this.side.context(), requestCert: true, rejectUnauthorized: true });
    const slot = new PendingHandshake(tls, ip);
    this.caps.add(slot);
    const onError = (err: NodeJS.ErrnoException): void => this.failed(slot, `tls error ${err.code ?? err.message}`);
    const onClose = (): void => this.failed(slot, 'closed during the handshake');
    const onEnd = (): void => this.failed(slot, 'peer closed during the handshake');
    // A stream nobody reads never reports the peer's FIN (and allowHalfOpen keeps it open): a peer
    // that gave up on our certificate would hold its slot until the timeout. Until 'secure' no
    // application data can arrive (no 0-RTT), so read(0) only ever surfaces that end.
    const onReadable = (): void => {
      if (tls.readableLength === 0) tls.read(0);
    };
    // The error listener stays after a failure: a destroyed TLSSocket may still report one.
    tls.on('error', onError);
    tls.once('close', onClose);
    tls.once('end', onEnd);
    tls.on('readable', onReadable);
    tls.once('secure', () => {
      tls.off('close', onClose);
      tls.off('end', onEnd);
      // Without 'readable' listeners the stream is left unread (flowing null) until attach() resumes it.
      tls.off('readable', onReadable);
      this.secured(slot, onError);
    });
    slot.timer = setTimeout(() => this.failed(slot, `no handshake within ${this.side.handshakeTimeoutMs} ms`), this.side.handshakeTimeoutMs);
    slot.timer.unref();
  }

  private secured(slot: PendingHandshake, onError: (err: NodeJS.ErrnoException) => void): void {
    if (slot.settled) return;
    const { tls } = slot;
    const unverified = chainError(tls);
    const peerId = unverified === undefined ? this.side.mode.provenPeerId(tls.getPeerX509Certificate()) : undefined;
    if (peerId === undefined) {
      this.failed(slot, unverified === undefined ? 'certificate not admitted' : `certificate not verified (${unverified})`);
      return;
    }
    this.settle(slot);
    if (this.closing !== undefined || !this.subject.observed) {
      // Nobody to hand it to any more (as an unobserved accept is refused); a close says nothing.
      tls.destroy();
      if (!slot.aborted && this.closing === undefined) this.refusedSubject.next(refusalOf(slot.remoteAddress, 'unobserved'));
      this.releasedSlot();
      return;
    }
    const conn: Connection<T> = wrapSocket(tls, this.connOptions, peerId);
    // wrapSocket installed the connection's own error listener.
    tls.off('error', onError);
    this.caps.add(conn);
    this.subject.next(conn);
  }

  /** Destroys a handshake that failed, timed out or proved nobody we admit; counted, logged once per address per window. */
  private failed(slot: PendingHandshake, cause: string): void {
    if (slot.settled) return;
    this.settle(slot);
    slot.tls.destroy();
    if (!slot.aborted) {
      this.refusedSubject.next(refusalOf(slot.remoteAddress, 'handshake-failed'));
      const suppressed = this.failures.take(slot.remoteAddress, Date.now());
      if (suppressed !== undefined) this.logger?.warn('tcp.handshake_failed', { address: slot.remoteAddress, cause, suppressed });
    }
    this.releasedSlot();
  }

  private settle(slot: PendingHandshake): void {
    slot.settled = true;
    clearTimeout(slot.timer);
    this.caps.release(slot);
  }
}

/**
 * Why OpenSSL did not verify the client's chain, or undefined when it did. This is the check
 * tls.Server runs on every 'secure' (onServerSocketSecure in Node's lib/_tls_wrap.js); a standalone
 * server TLSSocket exposes it on its handle only. No such method: fail closed.
 */
function chainError(tls: TLSSocket): string | undefined {
  const handle = (tls as unknown as { _handle?: { verifyError?: () => Error | null } | null })._handle;
  if (typeof handle?.verifyError !== 'function') return 'no verification result';
  const err = handle.verifyError() as NodeJS.ErrnoException | null;
  return err === null ? undefined : (err.code ?? err.message);
}
