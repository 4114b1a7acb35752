import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { asyncScheduler, map, take, takeUntil, timer } from 'rxjs';
import { announcementTicks } from './announcer.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
// Inside TestScheduler.run() asyncScheduler runs on virtual time (CONTRIBUTING.md §5).
const options = (intervalMs: number, maxPerSecond: number) => ({ intervalMs, maxPerSecond, scheduler: asyncScheduler });

describe('announcementTicks', () => {
  it('announces at once, then every interval', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const ticks$ = announcementTicks(cold('-'), options(2_000, 10)).pipe(
        map(() => 'x'),
        take(3),
      );
      expectObservable(ticks$).toBe('x 1999ms x 1999ms (x|)');
    });
  });

  it('a synchronous burst of changes sends one announcement at once; a later change waits for the cap', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      // Three changes in one frame at 500 ms, one more at 520 ms.
      const change$ = hot('500ms (abc) 16ms d');
      const ticks$ = announcementTicks(change$, options(60_000, 10)).pipe(map(() => 'x'));
      expectObservable(ticks$, '^ 1s !').toBe('x 499ms x 99ms x');
    });
  });

  it('holds the cap under a burst of a change every ms, and sends after the last change', () => {
    const times: number[] = [];
    let lastChange = -1;
    testScheduler().run(({ cold }) => {
      const burstMs = 1_500;
      const change$ = timer(0, 1, asyncScheduler).pipe(takeUntil(timer(burstMs, asyncScheduler)));
      change$.subscribe(() => (lastChange = asyncScheduler.now()));
      announcementTicks(change$, options(60_000, 5))
        .pipe(takeUntil(cold('10s x')))
        .subscribe(() => times.push(asyncScheduler.now()));
    });
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    // Busy all along: roughly one announcement per 200 ms slot of the 1.5 s burst.
    expect(times.length).toBeGreaterThanOrEqual(7);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(200);
    expect(times.length).toBeLessThanOrEqual(Math.ceil(((times.at(-1) as number) - (times[0] as number)) / 200) + 1);
    expect(times.at(-1)).toBeGreaterThanOrEqual(lastChange);
  });
});
