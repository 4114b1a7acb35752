/**
 * Fan-out latency: from a SAY's decode until its fan-out was handed to every member's socket (the
 * end-of-turn flush, after the turn's group commit), as a histogram for /metrics.
 */
import { performance } from 'node:perf_hooks';
import type { Transport } from '@ims/transport';
import { Histogram, type HistogramSnapshot } from './histogram.js';

/** Times the SAYs of each turn against that turn's flush. */
export class FanoutClock {
  private readonly latency = new Histogram();
  /** Decode times of SAYs whose fan-out waits for the end-of-turn flush. */
  private starts: number[] = [];

  constructor(private readonly transport: Transport) {}

  /** A SAY was decoded now. */
  start(): void {
    if (this.starts.length === 0) this.transport.afterFlush(this.end);
    // Bounded: one entry per SAY of this turn, and a turn reads at most a few chunks per socket.
    this.starts.push(performance.now());
  }

  /** The histogram so far. */
  snapshot(): HistogramSnapshot {
    return this.latency.snapshot();
  }

  /** One bound function for every turn's afterFlush (no closure per turn). */
  private readonly end = (): void => {
    const now = performance.now();
    for (const t of this.starts) this.latency.record(Math.round((now - t) * 1000));
    this.starts = [];
  };
}
