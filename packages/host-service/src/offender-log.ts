/**
 * One log line per offender per interval (CONTRIBUTING.md §4; docs/protocol.md §9): what a remote
 * peer can make the host log (refusals, bad frames, floods, connections the transport dropped) is
 * written at most once a window per offender (its IP address, or a connection when the address is
 * gone), so 1,000 bad frames a second make one line, not 1,000. What was held back is not lost: the
 * offender's next line, or a `host.suppressed` line once its window is over, carries the count by
 * event and code. Info lines (joins, leaves) get a few per window, so honest peers behind one NAT
 * address stay visible. Debug and error lines are never held back: debug is asked for, errors are
 * our bugs. No timer (virtual-time tests flush to the end): windows are closed on the next line.
 */
import type { Logger, LogLevel } from '@ims/app-kit';

/** Fields of one line (app-kit's LogFields). */
type LogFields = Readonly<Record<string, unknown>>;

/** Limits of an {@link OffenderLog}. */
export interface OffenderLogOptions {
  /** Length of an offender's window, ms. @default 10_000 */
  readonly intervalMs?: number;
  /** Warn lines written per offender per window. @default 1 */
  readonly warnLines?: number;
  /** Info lines written per offender per window. @default 10 */
  readonly infoLines?: number;
  /** Offenders remembered; past it, the one whose window is oldest is closed first. @default 4096 */
  readonly maxOffenders?: number;
}

/** Defaults of {@link OffenderLogOptions}. */
export const OFFENDER_LOG_DEFAULTS: Required<OffenderLogOptions> = { intervalMs: 10_000, warnLines: 1, infoLines: 10, maxOffenders: 4096 };

/** One offender's window. */
interface Window {
  readonly start: number;
  warns: number;
  infos: number;
  suppressed: number;
  /** The highest level held back: the level of its `host.suppressed` line. */
  heldLevel: 'info' | 'warn';
  /** Held-back lines by `event` or `event code`. */
  readonly events: Record<string, number>;
}

/** Throttles the log lines of remote offenders; see the file comment. */
export class OffenderLog {
  private readonly o: Required<OffenderLogOptions>;
  /** Insertion order is window start order: a new window re-inserts its key. */
  private readonly windows = new Map<string, Window>();
  /** Addresses of connections seen in lines, so lines after the close (left, channel-closed) have theirs. */
  private readonly addresses = new Map<string, string>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number,
    options: OffenderLogOptions = {},
  ) {
    this.o = { ...OFFENDER_LOG_DEFAULTS, ...options };
  }

  /** Writes the line to `to` unless `offender` has used its lines of this window; no offender: always written. */
  log(offender: string | undefined, level: Exclude<LogLevel, 'silent'>, event: string, fields: LogFields, to: Logger = this.logger): void {
    if (offender === undefined || level === 'debug' || level === 'error') return to.log(level, event, fields);
    if (!to.enabled(level)) return;
    const now = this.now();
    this.closeWindows(now, offender);
    let w = this.windows.get(offender);
    let carried: LogFields | undefined;
    if (w !== undefined && now - w.start >= this.o.intervalMs) {
      carried = held(w);
      this.windows.delete(offender);
      w = undefined;
    }
    if (w === undefined) w = this.open(offender, now);
    const allowed = level === 'warn' ? w.warns++ < this.o.warnLines : w.infos++ < this.o.infoLines;
    if (allowed) {
      to.log(level, event, carried === undefined ? fields : { ...fields, ...carried });
      return;
    }
    w.suppressed++;
    if (level === 'warn') w.heldLevel = 'warn';
    const key = typeof fields.code === 'string' ? `${event} ${fields.code}` : event;
    w.events[key] = (w.events[key] ?? 0) + 1;
  }

  /**
   * The offender behind connection `conn`: its `address` while it is open (remembered, at most
   * maxOffenders of them), else the address remembered, else the connection itself.
   */
  offenderOf(conn: string, address: string | undefined): string {
    if (address === undefined) return this.addresses.get(conn) ?? `conn ${conn}`;
    if (this.addresses.get(conn) !== address) {
      this.addresses.set(conn, address);
      if (this.addresses.size > this.o.maxOffenders) this.addresses.delete(this.addresses.keys().next().value as string);
    }
    return address;
  }

  /** Writes the held-back counts of every offender now (at stop). */
  flush(): void {
    for (const [offender, w] of this.windows) this.summary(offender, w);
    this.windows.clear();
  }

  /**
   * A logger for the transport (or any part that names its offender in its fields): its info and
   * warn lines are throttled per the `address` or `remote` field (see offenderIn), a child's too.
   */
  keyed(base: Logger = this.logger, bound?: string): Logger {
    const write = (level: Exclude<LogLevel, 'silent'>, event: string, fields: LogFields = {}): void => this.log(offenderIn(fields) ?? bound, level, event, fields, base);
    return {
      level: base.level,
      enabled: (l) => base.enabled(l),
      log: write,
      debug: (e, f) => write('debug', e, f),
      info: (e, f) => write('info', e, f),
      warn: (e, f) => write('warn', e, f),
      error: (e, f) => write('error', e, f),
      child: (fields) => this.keyed(base.child(fields), connectionAddress(fields) ?? offenderIn(fields) ?? bound),
    };
  }

  private open(offender: string, now: number): Window {
    const w: Window = { start: now, warns: 0, infos: 0, suppressed: 0, heldLevel: 'info', events: {} };
    this.windows.set(offender, w);
    if (this.windows.size > this.o.maxOffenders) {
      const [oldest, ow] = this.windows.entries().next().value as [string, Window];
      this.windows.delete(oldest);
      this.summary(oldest, ow);
    }
    return w;
  }

  /** Closes the windows that are over (oldest first, so it stops at the first open one), except `keep`'s: its next line carries the count. */
  private closeWindows(now: number, keep: string): void {
    for (const [offender, w] of this.windows) {
      if (now - w.start < this.o.intervalMs) return;
      if (offender === keep) continue;
      this.windows.delete(offender);
      this.summary(offender, w);
    }
  }

  private summary(offender: string, w: Window): void {
    if (w.suppressed > 0) this.logger.log(w.heldLevel, 'host.suppressed', { offender, sinceMs: this.now() - w.start, ...held(w) });
  }
}

/** The fields a line carries for what its offender's last window held back. */
function held(w: Window): LogFields | undefined {
  return w.suppressed === 0 ? undefined : { suppressedLines: w.suppressed, suppressedEvents: w.events };
}

/** A connection's child logger (`{ conn, remote: 'ip:port' }`, the transport's): the IP, IPv6 too. */
function connectionAddress(fields: LogFields): string | undefined {
  if (typeof fields.conn !== 'string' || typeof fields.remote !== 'string') return undefined;
  return /^(.+):\d+$/.exec(fields.remote)?.[1];
}

/**
 * The offender a line names: its `address`, else its `remote` (`ip:port` on a connection's
 * transport lines, or a bare IP): an IPv4 `ip:port` is keyed by the IP; an IPv6 one, whose port
 * cannot be told from the address, stays whole (that connection alone).
 */
function offenderIn(fields: LogFields): string | undefined {
  if (typeof fields.address === 'string') return fields.address;
  const remote = fields.remote;
  if (typeof remote !== 'string') return undefined;
  return /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(remote)?.[1] ?? remote;
}
