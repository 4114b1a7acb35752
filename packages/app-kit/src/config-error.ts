/** Stable codes of configuration failures. */
export type ConfigErrorCode =
  /** A value does not parse or is out of range. Fix or remove it. */
  | 'CONFIG_INVALID_VALUE'
  /** The config file names a key the app does not know (likely a typo). Remove or correct it. */
  | 'CONFIG_UNKNOWN_KEY'
  /** The config file cannot be read. Check the path and permissions. */
  | 'CONFIG_FILE_UNREADABLE'
  /** The config file is not a JSON object. Fix its syntax. */
  | 'CONFIG_FILE_INVALID';

/** Where a configuration value came from, for error messages. */
export type ConfigSource = 'default' | 'file' | 'env' | 'flag';

/** A configuration problem, found once at startup; the message names the key and the fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly code: ConfigErrorCode,
    message: string,
    readonly key?: string,
    readonly source?: ConfigSource,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
