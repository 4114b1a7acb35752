/** Stable codes of netsim failures; branch on these, never on the message. */
export type NetsimErrorCode =
  /** The scenario file is not valid YAML/JSON. */
  | 'SCENARIO_SYNTAX'
  /** The scenario parses but breaks the format (unknown host, bad step...). */
  | 'SCENARIO_INVALID'
  /** A scenario path does not exist or holds no scenario. */
  | 'SCENARIO_NOT_FOUND'
  /** The chosen backend cannot run here (e.g. netns without root). */
  | 'BACKEND_UNAVAILABLE'
  /** A backend command (ip, tc) failed. */
  | 'BACKEND_COMMAND'
  /** A host process could not be started or died before it was ready. */
  | 'HOST_FAILED'
  /** The run was interrupted (Ctrl-C). */
  | 'ABORTED';

/** One netsim failure, with a stable `code` and, for scenario errors, the file position. */
export class NetsimError extends Error {
  override readonly name = 'NetsimError';
  constructor(
    readonly code: NetsimErrorCode,
    message: string,
    options?: { cause?: unknown; file?: string; line?: number; column?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.file = options?.file;
    this.line = options?.line;
    this.column = options?.column;
  }
  /** File the error refers to, when there is one. */
  readonly file: string | undefined;
  /** 1-based line in `file`, when known. */
  readonly line: number | undefined;
  /** 1-based column in `file`, when known. */
  readonly column: number | undefined;
}
