/**
 * One log line per offender per interval (CONTRIBUTING.md §4): a flood of bad datagrams from one
 * address must not become a flood of log lines. Bounded memory: the least recently logged offender
 * is forgotten first. No clock: the caller passes scheduler time.
 */

/** Decides whether an offence of `key` is logged now. */
export interface OffenderLog {
  /** True (and remembered) when `key` was not logged within the interval before `now` (ms); false counts the offence as held back. */
  shouldLog(key: string, now: number): boolean;
  /** After `shouldLog` said true: how many offences of that key it held back since the key's previous line (0 for a new key). */
  readonly held: number;
}

/** A throttle logging each offender at most once per `intervalMs`, remembering at most `maxOffenders`. */
export function createOffenderLog(intervalMs: number, maxOffenders: number): OffenderLog {
  const last = new Map<string, { at: number; held: number }>();
  let held = 0;
  return {
    get held() {
      return held;
    },
    shouldLog(key, now) {
      const seen = last.get(key);
      if (seen !== undefined && now - seen.at < intervalMs) {
        seen.held += 1;
        return false;
      }
      held = seen?.held ?? 0;
      // Re-insert so Map order is "least recently logged first".
      last.delete(key);
      last.set(key, { at: now, held: 0 });
      if (last.size > maxOffenders) {
        const oldest = last.keys().next();
        if (oldest.done !== true) last.delete(oldest.value);
      }
      return true;
    },
  };
}
