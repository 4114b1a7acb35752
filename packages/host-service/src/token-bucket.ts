/** Per-connection flood control: a token bucket refilled continuously from an injected clock. */

/** A token bucket: `rate` tokens per second, at most `burst` saved up. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token if available at time `now` (ms). */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** True when a token is available at `now`, without taking it. */
  has(now: number): boolean {
    this.refill(now);
    return this.tokens >= 1;
  }

  /** True when the bucket holds its whole burst at `now`: it is then the same as a fresh one. */
  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    const elapsed = now - this.last;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.rate) / 1000);
      this.last = now;
    }
  }
}
