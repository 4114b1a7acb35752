/**
 * Fan-out budgets per channel (docs/protocol.md §9): a channel may cost the host at most so many
 * deliveries a second (one SAY to 200 members is 200), so one busy channel cannot make the others
 * wait behind its fan-out. Charged after the reducer broadcast a post, checked before the next SAY
 * of any of its members: O(1) per SAY, nothing per member. The next post waits until the bucket
 * holds what the last one cost (at most the burst): a post to more members than the burst still
 * goes out, into debt, and the channel then waits for the refill.
 */

/** One channel's delivery budget. */
export class ChannelBucket {
  private tokens: number;
  private last: number;
  /** Deliveries of the channel's last post: what the next one is expected to cost. */
  private cost = 0;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** True when the channel may fan out another post at `now` (ms): the bucket holds what its last post cost, or its whole burst. */
  admits(now: number): boolean {
    this.refill(now);
    return this.tokens >= Math.min(this.cost, this.burst);
  }

  /** A post went out to `deliveries` connections. */
  charge(deliveries: number): void {
    this.tokens -= deliveries;
    this.cost = deliveries;
  }

  /** True when the bucket holds its whole burst at `now`: the same as a fresh one. */
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

/** Keep at least this many channels before sweeping refilled buckets. */
const SWEEP_FLOOR = 1_024;

/** The buckets of the channels that posted lately; refilled ones are swept (a fresh bucket is the same). */
export class ChannelBudgets {
  private readonly byChannel = new Map<string, ChannelBucket>();
  private sweepAt = SWEEP_FLOOR;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  /** The bucket of `channel` at `now`, created if needed. */
  get(channel: string, now: number): ChannelBucket {
    let b = this.byChannel.get(channel);
    if (b === undefined) {
      if (this.byChannel.size >= this.sweepAt) this.sweep(now);
      b = new ChannelBucket(this.rate, this.burst, now);
      this.byChannel.set(channel, b);
    }
    return b;
  }

  /** Channels tracked (for tests). */
  get size(): number {
    return this.byChannel.size;
  }

  private sweep(now: number): void {
    for (const [channel, b] of this.byChannel) if (b.full(now)) this.byChannel.delete(channel);
    this.sweepAt = Math.max(SWEEP_FLOOR, this.byChannel.size * 2);
  }
}
