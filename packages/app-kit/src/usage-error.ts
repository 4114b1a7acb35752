/**
 * What an app's command line reports: `--help`/`--version` (code `HELP`, exit 0) or bad input
 * (code `USAGE`, exit 2 by convention), with the exit code the app should end with.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    readonly code: 'HELP' | 'USAGE',
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Where commander writes help and errors; tests capture it, apps pass the process streams. */
export interface CliOutput {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}
