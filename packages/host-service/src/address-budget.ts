/**
 * Frame budgets per remote address, shared by all its connections (docs/protocol.md §9): 200
 * connections each just under the per-connection rate, from one address, share one budget. A
 * bucket outlives its last connection until it has refilled, so reconnecting does not buy a fresh
 * one; refilled buckets of addresses without connections are swept, keeping the map bounded.
 */
import { type BucketLimit, TokenBucket } from './token-bucket.js';

/** One address's bucket and how many open connections share it. */
export class AddressBucket extends TokenBucket {
  /** Open connections from this address. */
  users = 0;

  constructor(
    readonly address: string,
    limit: BucketLimit,
    now: number,
  ) {
    super(limit, now);
  }
}

/** Keep at least this many addresses before sweeping refilled ones. */
const SWEEP_FLOOR = 1_024;

/** The frame buckets of every address with open (or recently closed) connections. */
export class AddressBudgets {
  private readonly byAddress = new Map<string, AddressBucket>();
  private sweepAt = SWEEP_FLOOR;
  /** Shared by every address's bucket. */
  private readonly limit: BucketLimit;

  constructor(rate: number, burst: number) {
    this.limit = { rate, burst };
  }

  /** The bucket of `address` for a new connection from it. Pair with {@link release}. */
  acquire(address: string, now: number): AddressBucket {
    let b = this.byAddress.get(address);
    if (b === undefined) {
      if (this.byAddress.size >= this.sweepAt) this.sweep(now);
      b = new AddressBucket(address, this.limit, now);
      this.byAddress.set(address, b);
    }
    b.users++;
    return b;
  }

  /** A connection sharing `b` closed. The bucket stays until swept. */
  release(b: AddressBucket): void {
    b.users--;
  }

  /** Addresses tracked (for tests). */
  get size(): number {
    return this.byAddress.size;
  }

  private sweep(now: number): void {
    for (const [address, b] of this.byAddress) if (b.users <= 0 && b.full(now)) this.byAddress.delete(address);
    this.sweepAt = Math.max(SWEEP_FLOOR, this.byAddress.size * 2);
  }
}
