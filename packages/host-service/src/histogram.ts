/** A fixed-bucket latency histogram (Prometheus style: cumulative `le` buckets), O(buckets) memory. */

/** Upper bounds of the buckets in microseconds: 1 µs … ~1 s, doubling. */
export const LATENCY_BUCKETS_US: readonly number[] = Array.from({ length: 21 }, (_, i) => 2 ** i);

/** A histogram snapshot: counts per upper bound (cumulative), total count, sum and max. */
export interface HistogramSnapshot {
  /** `[upperBoundUs, cumulativeCount]` pairs, then `+Inf` as Infinity. */
  readonly buckets: readonly (readonly [number, number])[];
  readonly count: number;
  /** Sum of all samples, µs. */
  readonly sumUs: number;
  /** Largest sample, µs. */
  readonly maxUs: number;
  /** Approximate 50th/99th percentiles (bucket upper bound), µs. */
  readonly p50Us: number;
  readonly p99Us: number;
}

/** Records latency samples in microseconds. */
export class Histogram {
  private readonly counts = new Array<number>(LATENCY_BUCKETS_US.length + 1).fill(0);
  private count = 0;
  private sum = 0;
  private max = 0;

  /** Adds one sample (µs). */
  record(us: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS_US.length && us > (LATENCY_BUCKETS_US[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.count++;
    this.sum += us;
    if (us > this.max) this.max = us;
  }

  /** The current distribution. */
  snapshot(): HistogramSnapshot {
    const buckets: [number, number][] = [];
    let acc = 0;
    for (let i = 0; i <= LATENCY_BUCKETS_US.length; i++) {
      acc += this.counts[i] as number;
      buckets.push([LATENCY_BUCKETS_US[i] ?? Infinity, acc]);
    }
    const pct = (q: number): number => {
      if (this.count === 0) return 0;
      const target = Math.ceil(q * this.count);
      const hit = buckets.find(([, c]) => c >= target);
      return hit === undefined || hit[0] === Infinity ? this.max : hit[0];
    };
    return { buckets, count: this.count, sumUs: this.sum, maxUs: this.max, p50Us: pct(0.5), p99Us: pct(0.99) };
  }
}
