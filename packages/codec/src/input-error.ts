/**
 * Errors about network input. Their stack trace says nothing useful (the culprit is the peer, not
 * a call site) and capturing it costs ~10 µs, which a flood of garbage frames would pay per frame;
 * so they are built with V8's stack capture switched off. Encoder errors keep their stacks.
 */
import { CodecError, type CodecErrorCode } from './errors.js';

const ErrorCtor = Error as { stackTraceLimit?: number };

/** A CodecError for bad network input, without a captured stack. */
export function inputError(code: CodecErrorCode, message: string, fatal = false): CodecError {
  const limit = ErrorCtor.stackTraceLimit;
  ErrorCtor.stackTraceLimit = 0;
  try {
    return new CodecError(code, message, fatal);
  } finally {
    ErrorCtor.stackTraceLimit = limit;
  }
}
