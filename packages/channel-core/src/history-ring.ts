/** A bounded FIFO of posts: pushing past the capacity drops the oldest, in O(1). */
export class HistoryRing<T> {
  // Grown on demand: most channels hold far fewer posts than the cap, and a preallocated
  // array of `capacity` slots cost ~8 KB per idle channel at the default 1,000.
  private readonly items: T[] = [];
  private start = 0;
  private count = 0;

  /** @param capacity the most items kept; 0 keeps none. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`capacity must be a non-negative integer, got ${capacity}`);
  }

  /** Number of items held. */
  get length(): number {
    return this.count;
  }

  /** Appends an item, dropping the oldest when full. */
  push(item: T): void {
    if (this.capacity === 0) return;
    if (this.count < this.capacity) {
      // Not full yet: `start` is still 0, so the next slot is the end of the array.
      this.items.push(item);
      this.count++;
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
  }

  /**
   * Removes the newest occurrence of `item` (by identity); false when it is not held. O(length):
   * only for the rare retraction of a post the store could not write, never on the hot path.
   */
  remove(item: T): boolean {
    for (let i = this.count - 1; i >= 0; i--) {
      if (this.items[(this.start + i) % this.capacity] !== item) continue;
      const rest = this.toArray();
      rest.splice(i, 1);
      this.items.length = 0;
      this.items.push(...rest);
      this.start = 0;
      this.count = rest.length;
      return true;
    }
    return false;
  }

  /** Replaces the contents with the newest `capacity` of `items` (oldest first), in O(capacity). */
  replace(items: readonly T[]): void {
    this.items.length = 0;
    this.start = 0;
    this.count = 0;
    for (const item of items.slice(Math.max(0, items.length - this.capacity))) this.push(item);
  }

  /** The items, oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.capacity] as T);
    return out;
  }
}
