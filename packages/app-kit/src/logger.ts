/**
 * Structured JSON-lines logger shared by the apps: one object per line on stderr by default, so
 * stdout stays free for human output and netsim can parse every line as an event.
 */

/** Severity, lowest first. `silent` disables output (tests). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Fields attached to one log line. Errors are serialised to `{ name, code, message }`. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A structured logger: `logger.info('conn.open', { conn, remote })`. */
export interface Logger {
  /** The minimum level this logger writes. */
  readonly level: LogLevel;
  /** True when a line at `level` would be written (skip building costly fields otherwise). */
  enabled(level: LogLevel): boolean;
  /** Writes one line at `level` if enabled. */
  log(level: Exclude<LogLevel, 'silent'>, event: string, fields?: LogFields): void;
  /** Writes a debug line. */
  debug(event: string, fields?: LogFields): void;
  /** Writes an info line. */
  info(event: string, fields?: LogFields): void;
  /** Writes a warn line. */
  warn(event: string, fields?: LogFields): void;
  /** Writes an error line. */
  error(event: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (same level and stream). */
  child(fields: LogFields): Logger;
}

/** Where lines go: anything with `write(string)` (a Writable, or an array collector in tests). */
export interface LogStream {
  /** Receives one complete line, newline included. */
  write(line: string): unknown;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level written. @default 'info' */
  readonly level?: LogLevel;
  /** Destination of the lines. @default process.stderr */
  readonly stream?: LogStream;
  /** Fields added to every line (e.g. `{ app: 'channel-server', peerId }`). @default {} */
  readonly base?: LogFields;
  /** Clock for the `ts` field, in ms since the epoch. @default Date.now */
  readonly clock?: () => number;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
/** Keys every line starts with; fields may not overwrite them. */
const RESERVED = new Set(['ts', 'level', 'event']);

/** All log levels, lowest first (for config validation). */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** True if `value` names a log level. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

/** Creates a JSON-lines logger: `{"ts":"…","level":"info","event":"…",...fields}` per line. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const stream = options.stream ?? process.stderr;
  const clock = options.clock ?? Date.now;
  return make(level, stream, clock, options.base ?? {});
}

function make(level: LogLevel, stream: LogStream, clock: () => number, base: LogFields): Logger {
  const min = RANK[level];
  const enabled = (l: LogLevel): boolean => l !== 'silent' && RANK[l] >= min;
  const log = (l: Exclude<LogLevel, 'silent'>, event: string, fields?: LogFields): void => {
    if (!enabled(l)) return;
    stream.write(formatLine(new Date(clock()).toISOString(), l, event, base, fields));
  };
  return {
    level,
    enabled,
    log,
    debug: (event, fields) => log('debug', event, fields),
    info: (event, fields) => log('info', event, fields),
    warn: (event, fields) => log('warn', event, fields),
    error: (event, fields) => log('error', event, fields),
    child: (fields) => make(level, stream, clock, { ...base, ...fields }),
  };
}

function formatLine(ts: string, level: string, event: string, base: LogFields, fields?: LogFields): string {
  const line: Record<string, unknown> = { ts, level, event };
  copyFields(line, base);
  if (fields) copyFields(line, fields);
  try {
    return JSON.stringify(line, replacer) + '\n';
  } catch (err) {
    // A cyclic field must not take the process down with it: log that the line was unprintable.
    return JSON.stringify({ ts, level, event, logError: String(err) }) + '\n';
  }
}

function copyFields(into: Record<string, unknown>, from: LogFields): void {
  for (const key of Object.keys(from)) {
    if (!RESERVED.has(key)) into[key] = from[key];
  }
}

function replacer(this: unknown, key: string, value: unknown): unknown {
  // Buffers run through toJSON before the replacer sees them: look at the original to keep lines short.
  const original = (this as Record<string, unknown>)[key];
  if (original instanceof Uint8Array) return { bytes: original.byteLength };
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return code === undefined ? { name: value.name, message: value.message } : { name: value.name, code, message: value.message };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
