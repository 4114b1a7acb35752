/**
 * Typed codec errors with stable codes. Network input never throws: decoders return these inside
 * a `Decoded` result. Encoders throw them for bad arguments (that is our bug, not the peer's).
 */

/** Stable error codes; branch on these, never on the message. See docs/protocol.md for what a receiver does. */
export type CodecErrorCode =
  /** A frame's length field exceeds the limit. Fatal: close the connection. */
  | 'FRAME_TOO_LARGE'
  /** The stream ended inside a frame (header or body). */
  | 'FRAME_TRUNCATED'
  /** A frame with an empty body: no command name. */
  | 'EMPTY_FRAME'
  /** The command name is not one of the protocol's. */
  | 'UNKNOWN_COMMAND'
  /** A known command sent in the wrong direction (e.g. STANDBY to a server). */
  | 'WRONG_DIRECTION'
  /** A mandatory field is missing (JOIN without channel, INVITE without IDs...). */
  | 'MISSING_FIELD'
  /** A field is not valid UTF-8. */
  | 'BAD_UTF8'
  /** A channel name or peer ID breaks its rules (channel: '#' or '@' then printable ASCII; ID: printable ASCII). */
  | 'BAD_NAME'
  /** A datagram is empty or its peer ID lacks its NUL. */
  | 'PDU_EMPTY'
  /** A count or string of an option runs past the datagram's end. */
  | 'PDU_TRUNCATED'
  /** A datagram larger than the receiver's limit. */
  | 'PDU_TOO_LARGE'
  /** Garbage or an unknown option id after the last option: parsing stopped there (a warning). */
  | 'UNKNOWN_OPTION'
  /** A port outside 1–65535 (or, for SERVER_OPTION, outside 49152–65535 in both byte orders). */
  | 'BAD_PORT'
  /** Encoder only: a value that cannot be put on the wire (NUL in a field, count > 255, too long for a datagram...). */
  | 'INVALID_VALUE';

/** One codec failure. `fatal` means the connection cannot be resynchronised: close it. */
export class CodecError extends Error {
  override readonly name = 'CodecError';
  constructor(
    readonly code: CodecErrorCode,
    message: string,
    readonly fatal = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
