/** Secure mode's transport: TCP with TLS 1.3 and mutual certificates (secure-tcp-listener.ts, secure-tcp-dialer.ts). */
import { type SecureContext, createSecureContext } from 'node:tls';
import type { SecureMode, TlsMaterial } from '@ims/secure';
import { afterFlush, beforeFlush } from './flush-scheduler.js';
import { dialSecureTcp } from './secure-tcp-dialer.js';
import { listenSecureTcp } from './secure-tcp-listener.js';
import type { Transport } from './transport.js';

/** Options of {@link secureTcpTransport}. */
export interface SecureTcpOptions {
  /** ms an accepted connection may take to finish its TLS handshake before it is destroyed (a dial's is its connect timeout). @default 10_000 */
  readonly handshakeTimeoutMs?: number;
}

/** Default of {@link SecureTcpOptions.handshakeTimeoutMs}. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * TCP in secure mode: every connection is TLS 1.3, both ends show a certificate of the network, and
 * `Connection.peerId` is the remote's proven peer ID; a dial with `expectPeerId` fails with
 * PEER_MISMATCH unless the remote proves it. Caps, limits and the flush are those of `tcpTransport`.
 */
export function secureTcpTransport(mode: SecureMode, options: SecureTcpOptions = {}): Transport {
  // One context per transport and material: key, certificate and CAs are parsed once, not per
  // connection, and again only after the mode's reload (a new key file) gave new material.
  let material = mode.tls();
  let current = contextOf(material);
  const context = (): SecureContext => {
    if (mode.tls() !== material) {
      material = mode.tls();
      current = contextOf(material);
    }
    return current;
  };
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  const transport: Transport = {
    listen: (o) => listenSecureTcp(o, mode, context, handshakeTimeoutMs),
    dial: (o) => dialSecureTcp(o, mode, context()),
    beforeFlush,
    afterFlush,
  };
  return Object.freeze(transport);
}

function contextOf(tls: TlsMaterial): SecureContext {
  return createSecureContext({ key: tls.key, cert: tls.cert, ca: [...tls.ca], minVersion: 'TLSv1.3' });
}
