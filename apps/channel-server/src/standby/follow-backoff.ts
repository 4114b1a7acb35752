/**
 * Back-off of the standby replica's follows (docs/protocol.md §6.2): a channel whose membership
 * ended lost (its JOIN refused, its host unreachable) is not followed again before a growing,
 * jittered delay, and what went wrong is logged once per cause per window, not once per try.
 */
import type { Logger } from '@ims/app-kit';

/** Options of {@link FollowBackoff}. */
export interface FollowBackoffOptions {
  /** First wait (ms) after a follow ended lost; doubled on each loss in a row. @default 500 */
  readonly baseMs?: number;
  /** Longest wait (ms). @default 30_000 */
  readonly maxMs?: number;
  /** ms in which one cause is logged once (with how many more were seen). @default 10_000 */
  readonly logEveryMs?: number;
  /** Random numbers in [0, 1): each wait is ½–1× the doubled delay. @default Math.random */
  readonly random?: () => number;
}

/** Per-channel failure counts and the time each channel may be followed again. */
export class FollowBackoff {
  private readonly failures = new Map<string, { count: number; notBefore: number }>();
  private readonly logged = new Map<string, { at: number; suppressed: number }>();
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly logEveryMs: number;
  private readonly random: () => number;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number,
    opts: FollowBackoffOptions = {},
  ) {
    this.baseMs = opts.baseMs ?? 500;
    this.maxMs = opts.maxMs ?? 30_000;
    this.logEveryMs = opts.logEveryMs ?? 10_000;
    this.random = opts.random ?? Math.random;
  }

  /** Whether `channel` may be followed now. */
  ready(channel: string): boolean {
    const f = this.failures.get(channel);
    return f === undefined || this.now() >= f.notBefore;
  }

  /** The follow of `channel` ended lost: returns the ms before it may be followed again. */
  lost(channel: string): number {
    const count = (this.failures.get(channel)?.count ?? 0) + 1;
    const delay = Math.round(Math.min(this.maxMs, this.baseMs * 2 ** Math.min(count - 1, 30)) * (0.5 + 0.5 * this.random()));
    this.failures.set(channel, { count, notBefore: this.now() + delay });
    return delay;
  }

  /** The follow of `channel` joined: its next loss backs off from the start. */
  joined(channel: string): void {
    this.failures.delete(channel);
  }

  /** Whether `channel` failed before (its next follow is a retry). */
  retrying(channel: string): boolean {
    return this.failures.has(channel);
  }

  /** Logs `event` at `level` unless the same `cause` was logged within `logEveryMs` (then counts it). */
  log(level: 'info' | 'warn', event: string, cause: string, fields: Record<string, unknown>): void {
    const key = `${event}\0${cause}`;
    const last = this.logged.get(key);
    const now = this.now();
    if (last !== undefined && now - last.at < this.logEveryMs) {
      last.suppressed++;
      return;
    }
    this.logger.log(level, event, { ...fields, suppressed: last?.suppressed ?? 0 });
    this.logged.set(key, { at: now, suppressed: 0 });
  }
}
