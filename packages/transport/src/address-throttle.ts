/**
 * At most one log line per source address per interval (CONTRIBUTING.md §4): a peer of another
 * network retrying its handshake must not become a flood of lines. Bounded memory: past
 * `maxAddresses`, the address logged longest ago is forgotten first. The caller passes the time.
 */

/** Decides whether an event from an address is logged now, and counts the ones held back. */
export class AddressThrottle {
  /** Insertion order is "least recently logged first": a logged address is re-inserted. */
  private readonly last = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly maxAddresses = 4_096,
  ) {}

  /**
   * The number of events of `address` held back since its previous line (0 for a new address)
   * when this one is to be logged now; undefined (and the event counted as held back) otherwise.
   */
  take(address: string, now: number): number | undefined {
    const seen = this.last.get(address);
    if (seen !== undefined && now - seen.at < this.intervalMs) {
      seen.held += 1;
      return undefined;
    }
    this.last.delete(address);
    this.last.set(address, { at: now, held: 0 });
    if (this.last.size > this.maxAddresses) this.last.delete(this.last.keys().next().value as string);
    return seen?.held ?? 0;
  }
}
