/**
 * Replay refusal for sealed PDUs (docs/security.md "Replays"): a sender's counters are
 * `ms since epoch × 1024`, strictly increasing. A receiver that heard the sender within the window
 * takes only a higher counter; one it has not heard within the window takes a counter whose time
 * is within the window of its own clock. So a captured datagram is refused while its sender is
 * remembered and by its age afterwards; secure peers need clocks within the window of each other.
 */

/** Counter units per millisecond: 1,024 PDUs per ms before a sender's counter runs ahead of its clock. */
export const COUNTER_PER_MS = 1024;

interface Seen {
  counter: number;
  at: number;
}

/** Per-sender replay state, bounded. */
export class ReplayGuard {
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly maxSenders: number,
  ) {}

  /** `'ok'`, `'replayed'` (not above the last counter) or `'stale'` (too far from our clock); remembers nothing (see `record`). */
  check(sender: string, counter: number): 'ok' | 'replayed' | 'stale' {
    const now = this.now();
    const last = this.seen.get(sender);
    if (last !== undefined && now - last.at <= this.windowMs) return counter <= last.counter ? 'replayed' : 'ok';
    return Math.abs(counter / COUNTER_PER_MS - now) > this.windowMs ? 'stale' : 'ok';
  }

  /**
   * Remembers `counter` as the sender's last, once its signature checked out: a replay is refused
   * by `check` before the costly signature check, and a forgery never moves a sender's counter.
   */
  record(sender: string, counter: number): void {
    this.seen.delete(sender); // re-inserted last: the Map's order is least recently heard first
    this.seen.set(sender, { counter, at: this.now() });
    if (this.seen.size > this.maxSenders) this.evict(this.now());
  }

  private evict(now: number): void {
    for (const [sender, s] of this.seen) {
      if (this.seen.size <= this.maxSenders && now - s.at <= this.windowMs) break;
      this.seen.delete(sender);
    }
  }
}

/** A sender's next counter: its clock, or one above the last when the clock has not moved (or went back). */
export function nextCounter(last: number, now: number): number {
  return Math.max(Math.floor(now) * COUNTER_PER_MS, last + 1);
}
