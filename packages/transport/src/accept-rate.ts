/**
 * Accepted connections per source IP per second: a token bucket per address, so a reconnect loop
 * is paid for by its address (docs/protocol.md §6.2 CONNECTION_RATE_PER_IP, §9). A full bucket is
 * the same as none, so idle addresses are swept away and the map stays bounded.
 */

/** One address's bucket. */
interface Bucket {
  tokens: number;
  last: number;
}

/** Keep at least this many addresses before sweeping full buckets. */
const SWEEP_FLOOR = 1_024;

/** Token buckets of new connections, one per source address. */
export class AcceptRate {
  private readonly byIp = new Map<string, Bucket>();
  private sweepAt = SWEEP_FLOOR;

  constructor(
    /** Connections per second refilled. */
    private readonly rate: number,
    /** Connections one address may open at once. */
    private readonly burst: number,
  ) {}

  /** Takes one connection of `ip`'s budget at `now` (ms); false when it has none left. */
  take(ip: string, now: number): boolean {
    let b = this.byIp.get(ip);
    if (b === undefined) {
      if (this.byIp.size >= this.sweepAt) this.sweep(now);
      b = { tokens: this.burst, last: now };
      this.byIp.set(ip, b);
    }
    this.refill(b, now);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Addresses tracked (for tests). */
  get size(): number {
    return this.byIp.size;
  }

  private refill(b: Bucket, now: number): void {
    const elapsed = now - b.last;
    if (elapsed <= 0) return;
    b.tokens = Math.min(this.burst, b.tokens + (elapsed * this.rate) / 1000);
    b.last = now;
  }

  /** Drops the buckets that refilled: they hold nothing a fresh one would not. */
  private sweep(now: number): void {
    for (const [ip, b] of this.byIp) {
      this.refill(b, now);
      if (b.tokens >= this.burst) this.byIp.delete(ip);
    }
    this.sweepAt = Math.max(SWEEP_FLOOR, this.byIp.size * 2);
  }
}
