/**
 * Typed discovery errors with stable codes. Network input never produces one of these: bad
 * datagrams are counted in `stats()` and dropped. These report local misuse or socket setup failures.
 */

/** Stable error codes; branch on these, never on the message. */
export type DiscoveryErrorCode =
  /** `interface` names no local interface, or it has no address of the wanted family. */
  | 'UNKNOWN_INTERFACE'
  /** The UDP socket could not be bound or could not join the multicast group. */
  | 'BIND_FAILED'
  /** An option is out of range (interval, limits, port...). */
  | 'INVALID_OPTION';

/** One discovery failure: a bad option or a socket that could not be set up. */
export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
  constructor(
    readonly code: DiscoveryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
