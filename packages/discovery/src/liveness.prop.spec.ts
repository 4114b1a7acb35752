import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkScheduled, observeLag } from './local-health.js';
import type { PeerEvent } from './peer-events.js';
import { applyPdu, createPeerTable, tick } from './peer-table.js';
import { fcRuns } from '../test/fc-runs.js';

const numRuns = fcRuns(100);
const from = { address: '10.0.0.1', port: 55_555 };
const PDU = { peerId: 'p', options: [] };

interface World {
  /** The peer's own interval, and ours. */
  readonly interval: number;
  readonly ours: number;
  /** Each regular PDU's offset from its slot, as a share of the jitter bound (−1…1). */
  readonly jitter: readonly number[];
  readonly jitterShare: number;
  /** Regular PDUs lost (never two in a row when `losses`). */
  readonly lost: readonly boolean[];
  /** Change-triggered extras, as shares of the whole run. */
  readonly extras: readonly number[];
  /** Our own stalls: [start share of the run, length ms]. */
  readonly stalls: readonly (readonly [number, number])[];
}

const world = (losses: boolean): fc.Arbitrary<World> =>
  fc
    .record({
      interval: fc.integer({ min: 100, max: 12_000 }),
      ours: fc.constantFrom(150, 500, 1_000, 2_000),
      jitterShare: fc.double({ min: 0, max: 0.1, noNaN: true }),
      jitter: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 30, maxLength: 30 }),
      lost: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
      extras: fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 60 }),
      stalls: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 10_000 })), { maxLength: 4 }),
    })
    // Never two lost in a row (odd slots only), and none of the first five: until a peer's interval
    // is learned (3 gaps; one more after each of our stalls), a slow peer's next PDU must come within
    // assumedMaxIntervalMs (docs/protocol.md §4.1, its stated limit).
    .map((w) => ({ ...w, lost: w.lost.map((l, k) => losses && k > 4 && l && k % 2 === 1) }));

/** Whether `t` falls in a stall of ours; if so, when the stall ends. */
function releaseOf(stalls: readonly (readonly [number, number])[], t: number): number {
  for (const [a, b] of stalls) if (t >= a && t < b) return b;
  return t;
}

/** Run the peer table as discover() does, our loop stalled as given; returns every event. */
function simulate(w: World): PeerEvent[] {
  const table = createPeerTable({ selfId: 'me', intervalMs: w.ours });
  const period = Math.min(w.ours / 4, 250);
  const J = w.jitterShare * w.interval;
  const regular = w.jitter.map((j, k) => k * w.interval + (k === 0 ? 0 : j * J)).filter((_, k) => !w.lost[k]);
  const last = Math.max(...regular);
  // No extra before its third PDU: a slow peer announcing a change about one of our intervals after
  // first contact looks configured like us until its next PDU (docs/protocol.md §4.1, a stated limit).
  const sends = [...regular, ...w.extras.map((x) => 2 * w.interval + x * (last - 2 * w.interval))].sort((a, b) => a - b);
  // Our stalls begin after the peer's third regular PDU: a slow peer first heard through a stall of
  // ours (its first PDUs held and handled together) may be disconnected once before its interval is
  // learned, then re-appears (a stated limit, like the two above; docs/protocol.md §4.1).
  const from3 = Math.min(3 * w.interval, last);
  const stalls = w.stalls.map(([at, ms]) => [from3 + at * (last - from3), from3 + at * (last - from3) + ms] as const).sort((a, b) => a[0] - b[0]);
  const events: PeerEvent[] = [];
  let due = period;
  checkScheduled(table.local, 0, period);
  let i = 0;
  for (;;) {
    const tickAt = releaseOf(stalls, due);
    const send = sends[i];
    const deliverAt = send === undefined ? Number.POSITIVE_INFINITY : releaseOf(stalls, send);
    if (send === undefined && tickAt > last) break;
    // An overdue check runs before the datagrams that queued meanwhile (timers, then I/O).
    if (tickAt <= deliverAt) {
      observeLag(table.local, table.config, tickAt);
      checkScheduled(table.local, tickAt, period);
      events.push(...tick(table, tickAt));
      due = tickAt + period;
    } else {
      observeLag(table.local, table.config, deliverAt);
      events.push(...applyPdu(table, PDU, from, deliverAt));
      i += 1;
    }
  }
  return events;
}

describe('liveness properties (docs/protocol.md §4)', () => {
  it('jitter within a tenth of its interval, extras at any time and our own stalls never make a peer that keeps announcing disconnected', () => {
    fc.assert(
      fc.property(world(false), (w) => {
        expect(simulate(w).filter((e) => e.kind === 'disconnected' || e.kind === 'gone')).toEqual([]);
      }),
      { numRuns },
    );
  });

  it('nor does a lost PDU now and then (never two in a row) on top of that', () => {
    fc.assert(
      fc.property(world(true), (w) => {
        expect(simulate(w).filter((e) => e.kind === 'disconnected' || e.kind === 'gone')).toEqual([]);
      }),
      { numRuns },
    );
  });
});
