/** Typed errors of secure mode (CONTRIBUTING.md §4): a stable `code`, a message that says what to do. */

/** What went wrong while loading or using secure-mode material. */
export type SecureErrorCode = 'BAD_KEY_FILE' | 'KEY_FILE_UNREADABLE' | 'BAD_IDENTITY_FILE' | 'BAD_PEER_LIST';

/** An error of secure mode's files or configuration; the message names the file and the fix. */
export class SecureError extends Error {
  override readonly name = 'SecureError';

  constructor(
    readonly code: SecureErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
