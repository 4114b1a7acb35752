/**
 * Live SAYs to swallow once (docs/architecture.md "No loss, no duplicates"): posts this member saw
 * before a failover that the new host lost, which their authors will send again.
 */

/** A bounded multiset of post keys, each to be swallowed once. */
export class ExpectedResends {
  private readonly counts = new Map<string, number>();
  private total = 0;

  /** @param limit the most re-sends remembered; more are not expected (shown if they come). */
  constructor(private readonly limit: number) {}

  /** Re-sends still expected. */
  get size(): number {
    return this.total;
  }

  /** Expects one more re-send of `key`, unless `limit` are expected already. */
  add(key: string): void {
    if (this.total >= this.limit) return;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.total++;
  }

  /** Consumes one expected re-send of `key`; false when none was expected. */
  take(key: string): boolean {
    const n = this.counts.get(key);
    if (n === undefined) return false;
    if (n <= 1) this.counts.delete(key);
    else this.counts.set(key, n - 1);
    this.total--;
    return true;
  }
}
