/** Per-connection flood control: a token bucket refilled continuously from an injected clock. */

/**
 * How a bucket refills: `rate` tokens per second, at most `burst` saved up. One object serves
 * every bucket of a kind: a server holds a bucket per connection, and two numbers each (boxed, as
 * doubles often are) cost 48 bytes a connection.
 */
export interface BucketLimit {
  readonly rate: number;
  readonly burst: number;
}

/** A token bucket refilled as its {@link BucketLimit} says. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: BucketLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
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
    return this.tokens >= this.limit.burst;
  }

  private refill(now: number): void {
    const elapsed = now - this.last;
    if (elapsed > 0) {
      this.tokens = Math.min(this.limit.burst, this.tokens + (elapsed * this.limit.rate) / 1000);
      this.last = now;
    }
  }
}
