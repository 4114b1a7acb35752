/**
 * Per-source-address rate limit for received datagrams: a noisy or hostile host cannot make us
 * decode more than `maxPerSecond` of its PDUs per second. Fixed one-second windows, no clock:
 * the caller passes scheduler time.
 */

/** Options of `createSourceLimiter()`. */
export interface SourceLimiterOptions {
  /** Datagrams accepted per source address per second. @default 200 */
  readonly maxPerSecond?: number;
  /** Source addresses tracked at most; the least recently active is forgotten first. @default 10000 */
  readonly maxSources?: number;
}

/** Decides whether one more datagram from an address is accepted now. */
export interface SourceLimiter {
  /** True to accept a datagram from `address` at scheduler time `now` (ms); counts it. */
  allow(address: string, now: number): boolean;
  /** True when `address` has used up its budget in the window of `now` (counts nothing): a sealed datagram is opened only when false. */
  spent(address: string, now: number): boolean;
  /** Addresses currently tracked. */
  readonly size: number;
}

interface Window {
  readonly start: number;
  count: number;
}

/** Create a limiter. */
export function createSourceLimiter(options: SourceLimiterOptions = {}): SourceLimiter {
  const maxPerSecond = options.maxPerSecond ?? 200;
  const maxSources = options.maxSources ?? 10_000;
  const windows = new Map<string, Window>();
  return {
    allow(address: string, now: number): boolean {
      const current = windows.get(address);
      if (current !== undefined && now - current.start < 1_000) {
        current.count += 1;
        return current.count <= maxPerSecond;
      }
      // New window: re-insert so Map order is "least recently active first".
      windows.delete(address);
      windows.set(address, { start: now, count: 1 });
      if (windows.size > maxSources) {
        const oldest = windows.keys().next();
        if (oldest.done !== true) windows.delete(oldest.value);
      }
      return maxPerSecond >= 1;
    },
    spent(address: string, now: number): boolean {
      const current = windows.get(address);
      if (current === undefined || now - current.start >= 1_000) return maxPerSecond < 1;
      return current.count >= maxPerSecond;
    },
    get size() {
      return windows.size;
    },
  };
}
