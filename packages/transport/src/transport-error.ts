/** Stable codes of transport failures and close reasons. */
export type TransportErrorCode =
  /** Nothing listens at the endpoint (ECONNREFUSED): for a member, the host process is gone (docs/protocol.md §5). */
  | 'CONNECTION_REFUSED'
  /** The dial did not complete in time. */
  | 'CONNECT_TIMEOUT'
  /** Any other dial failure (unreachable, reset...). */
  | 'CONNECT_FAILED'
  /** No free port in the requested range, or the port/address cannot be bound. */
  | 'LISTEN_FAILED'
  /** The peer did not read fast enough: its send queue went over the limit, so it was dropped. */
  | 'SLOW_READER'
  /** The peer left a frame incomplete (or sent none) for longer than the idle timeout. */
  | 'IDLE_TIMEOUT'
  /** A socket error (reset, broken pipe...). */
  | 'SOCKET_ERROR'
  /** Secure mode: the TLS handshake of a dial failed (the remote is not of our network, not TLS, or proves no admitted peer ID). */
  | 'HANDSHAKE_FAILED'
  /** Secure mode: the remote proved another peer ID than the dial's `expectPeerId`. */
  | 'PEER_MISMATCH';

/** A transport failure with a stable `code`; `cause` carries the Node error if any. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
