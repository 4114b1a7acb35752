/**
 * One log line per offender per interval (CONTRIBUTING.md §4): a flood of bad datagrams from one
 * address must not become a flood of log lines. Bounded memory: the least recently logged offender
 * is forgotten first. No clock: the caller passes scheduler time.
 */

/** Decides whether an offence of `key` is logged now. */
export interface OffenderLog {
  /** True (and remembered) when `key` was not logged within the interval before `now` (ms). */
  shouldLog(key: string, now: number): boolean;
}

/** A throttle logging each offender at most once per `intervalMs`, remembering at most `maxOffenders`. */
export function createOffenderLog(intervalMs: number, maxOffenders: number): OffenderLog {
  const last = new Map<string, number>();
  return {
    shouldLog(key, now) {
      const at = last.get(key);
      if (at !== undefined && now - at < intervalMs) return false;
      // Re-insert so Map order is "least recently logged first".
      last.delete(key);
      last.set(key, now);
      if (last.size > maxOffenders) {
        const oldest = last.keys().next();
        if (oldest.done !== true) last.delete(oldest.value);
      }
      return true;
    },
  };
}
