/** Percentiles of latency samples, for the server benchmark. */

/** A growable array of float samples. */
export class Samples {
  private data = new Float64Array(1024);
  length = 0;

  /** Add one sample. */
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  /** The `p`-th percentile (0–100), nearest-rank; NaN when empty. */
  percentile(p: number): number {
    if (this.length === 0) return Number.NaN;
    const sorted = this.data.slice(0, this.length).sort();
    const rank = Math.min(this.length - 1, Math.max(0, Math.ceil((p / 100) * this.length) - 1));
    return sorted[rank] as number;
  }
}

/** The run whose `key` is the median of `runs` (an odd count keeps it a real run). */
export function medianBy<R>(runs: readonly R[], key: (r: R) => number): R {
  const sorted = [...runs].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] as R;
}

/**
 * Two estimates of `ims` over `base` from paired rounds (round i ran both back to back): the ratio
 * of each side's median, and the median of the per-round ratios, which cancels the load a round's
 * two runs shared. `ims` and `base` have one figure per round.
 */
export function pairedRatios(ims: readonly number[], base: readonly number[]): { ims: number; base: number; ratioOfMedians: number; medianOfRatios: number } {
  if (ims.length !== base.length || ims.length === 0) throw new RangeError(`pairedRatios needs one figure per round on each side, got ${ims.length} and ${base.length}`);
  const med = (xs: readonly number[]): number => medianBy(xs, (x) => x);
  const m = med(ims);
  const b = med(base);
  return { ims: m, base: b, ratioOfMedians: m / b, medianOfRatios: med(ims.map((x, i) => x / (base[i] as number))) };
}
