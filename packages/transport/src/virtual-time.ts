/**
 * Drives a `VirtualTimeScheduler` from an async test: scheduled actions run in time order, and
 * promise callbacks (a dial's `then`, an `await`) run between them, as between the event loop's
 * macrotasks. Waits end on an event, or fail: "nothing left to run" or a virtual deadline passed.
 */
import { VirtualTimeScheduler } from 'rxjs';

/** A virtual clock and the ways to move it. */
export interface VirtualTime {
  /** The scheduler to inject (transport, host service, member session). */
  readonly scheduler: VirtualTimeScheduler;
  /** Virtual ms now. */
  now(): number;
  /** Runs every action due now (and what they schedule for now), with promise callbacks in between. */
  settle(): Promise<void>;
  /** Moves the clock `ms` forward, running every action due on the way, in time order. */
  advance(ms: number): Promise<void>;
  /** Runs actions in time order until `promise` settles, then returns its outcome; fails if nothing is left to run or `limitMs` of virtual time pass first. */
  until<T>(promise: Promise<T>, limitMs?: number): Promise<T>;
}

/** Lets every queued promise callback run (setImmediate fires after the microtask queue is empty). */
const callbacks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs the actions due at `t` only (VirtualTimeScheduler.flush stops past `maxFrames`). */
function runAt(scheduler: VirtualTimeScheduler, t: number): void {
  const max = scheduler.maxFrames;
  scheduler.maxFrames = t;
  try {
    scheduler.flush();
  } finally {
    scheduler.maxFrames = max;
  }
}

/** A virtual clock over `scheduler` (a new one by default). */
export function virtualTime(scheduler: VirtualTimeScheduler = new VirtualTimeScheduler()): VirtualTime {
  const nextDue = (): number | undefined => scheduler.actions[0]?.delay;
  const advance = async (ms: number): Promise<void> => {
    const target = scheduler.now() + ms;
    for (;;) {
      await callbacks();
      const due = nextDue();
      if (due === undefined || due > target) break;
      runAt(scheduler, due);
    }
    scheduler.frame = Math.max(scheduler.frame, target);
  };
  const until = async <T>(promise: Promise<T>, limitMs = 60_000): Promise<T> => {
    let settled = false;
    const done = (): void => {
      settled = true;
    };
    promise.then(done, done);
    const deadline = scheduler.now() + limitMs;
    for (;;) {
      await callbacks();
      if (settled) return promise;
      const due = nextDue();
      if (due === undefined) throw new Error(`virtual time ${scheduler.now()} ms: nothing left to run, and the awaited event never came`);
      if (due > deadline) throw new Error(`virtual time ${scheduler.now()} ms: the awaited event did not come within ${limitMs} ms`);
      runAt(scheduler, due);
    }
  };
  return { scheduler, now: () => scheduler.now(), settle: () => advance(0), advance, until };
}
