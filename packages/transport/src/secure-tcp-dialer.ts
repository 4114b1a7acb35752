/**
 * Dials in secure mode (docs/security.md): TLS 1.3 with this peer's leaf certificate; the remote
 * must chain to an accepted network CA (node:tls verifies it: rejectUnauthorized) and prove a peer
 * ID the policy admits, and `expectPeerId`, when given, must be that ID. Host names are not
 * checked: peers are named by the key in their certificate, not by an address.
 */
import { type ConnectionOptions as TlsConnectOptions, type SecureContext, connect } from 'node:tls';
import type { Connection } from './connection.js';
import { TRANSPORT_DEFAULTS } from './limits.js';
import type { SecureCredentials } from './secure-tcp-listener.js';
import { wrapSocket } from './tcp-connection.js';
import { TransportError, type TransportErrorCode } from './transport-error.js';
import type { DialOptions } from './transport.js';

/**
 * Connects and handshakes; rejects with TransportError CONNECTION_REFUSED, CONNECT_FAILED,
 * CONNECT_TIMEOUT (the timeout covers the handshake), HANDSHAKE_FAILED or PEER_MISMATCH.
 */
export function dialSecureTcp<T>(options: DialOptions<T>, mode: SecureCredentials, context: SecureContext): Promise<Connection<T>> {
  const timeoutMs = options.connectTimeoutMs ?? TRANSPORT_DEFAULTS.connectTimeoutMs;
  const where = `${options.host}:${options.port}`;
  return new Promise((resolve, reject) => {
    const local = options.localAddress === undefined ? {} : { localAddress: options.localAddress };
    // allowHalfOpen (a socket.connect() option, which tls.connect passes on): our FIN follows our queued bytes, as over plain TCP.
    const tlsOptions: TlsConnectOptions & { allowHalfOpen: boolean } = { host: options.host, port: options.port, ...local, secureContext: context, checkServerIdentity: () => undefined, allowHalfOpen: true };
    const socket = connect(tlsOptions);
    let connected = false;
    const fail = (code: TransportErrorCode, message: string, cause?: unknown): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new TransportError(code, message, { cause }));
    };
    const timer = setTimeout(() => fail('CONNECT_TIMEOUT', `connect to ${where} timed out after ${timeoutMs} ms${connected ? ' (TLS handshake unfinished)' : ''}`), timeoutMs);
    // Stays until the connection's own listener replaces it: a destroyed socket may still report one.
    const onError = (err: NodeJS.ErrnoException): void => {
      const code = connected ? 'HANDSHAKE_FAILED' : err.code === 'ECONNREFUSED' ? 'CONNECTION_REFUSED' : 'CONNECT_FAILED';
      fail(code, `${connected ? 'TLS handshake with' : 'connect to'} ${where} failed (${err.code ?? err.message})`, err);
    };
    socket.on('error', onError);
    socket.once('connect', () => (connected = true));
    socket.once('secureConnect', () => {
      const peerId = mode.provenPeerId(socket.getPeerX509Certificate());
      if (peerId === undefined) return fail('HANDSHAKE_FAILED', `${where} proved no admitted peer ID`);
      if (options.expectPeerId !== undefined && peerId !== options.expectPeerId) {
        return fail('PEER_MISMATCH', `${where} proved peer ID ${peerId}, expected ${options.expectPeerId}`);
      }
      clearTimeout(timer);
      const conn = wrapSocket(socket, { ...options, idleTimeoutMs: options.idleTimeoutMs ?? 0 }, peerId);
      socket.off('error', onError);
      resolve(conn);
    });
  });
}
