/**
 * Connections held back by a shared budget (their address's frames, their channel's fan-out):
 * paused, so their bytes wait in TCP and cost the host nothing, and resumed later by one timer.
 * A connection held again and again waits longer each time (20 ms, doubling to 320 ms; back to 20
 * once a frame of it gets through), so a crowd that keeps a budget spent is read less and less
 * often, and the resumes are spread over the ticks of a small timing wheel rather than all at
 * once: the work of resuming never comes as one long turn that other channels would wait behind.
 * Only connections over a budget are here: nothing per member on the hot path.
 */
import type { SchedulerLike, Subscription } from 'rxjs';
import type { HostEntry } from './host-entry.js';

/** ms a connection held back for the first time waits before it is read again. */
export const HOLD_MS = 20;
/** Doublings of the wait for a connection held back again and again (20 ms × 2⁴ = 320 ms). */
const MAX_DOUBLINGS = 4;
/** One tick of the wheel. */
const TICK_MS = 5;
/** Slots of the wheel: the longest wait plus the spread, in ticks. */
const SLOTS = (HOLD_MS << MAX_DOUBLINGS) / TICK_MS + 4;

/** The paused connections, by the tick that resumes them, and the one timer. */
export class HoldBack {
  private readonly wheel: Set<HostEntry>[] = Array.from({ length: SLOTS }, () => new Set());
  private cursor = 0;
  private count = 0;
  private action: Subscription | undefined;
  private spread = 0;

  constructor(private readonly scheduler: SchedulerLike) {}

  /** Pauses `entry` (the frame it is delivering now comes again) for its current wait. */
  hold(entry: HostEntry): void {
    if (entry.holdSlot !== undefined) return;
    entry.conn.pause();
    const ticks = (HOLD_MS << Math.min(entry.holdStreak, MAX_DOUBLINGS)) / TICK_MS;
    entry.holdStreak++;
    // Spread over 4 ticks, so connections held in the same turn are not all resumed in the same one.
    const slot = (this.cursor + ticks + (this.spread++ & 3)) % SLOTS;
    (this.wheel[slot] as Set<HostEntry>).add(entry);
    entry.holdSlot = slot;
    this.count++;
    this.action ??= this.scheduler.schedule(this.tick, TICK_MS);
  }

  /** A frame of `entry` got through every budget: its next hold is a short one again. */
  passed(entry: HostEntry): void {
    entry.holdStreak = 0;
  }

  /** The connection of `entry` is gone. */
  forget(entry: HostEntry): void {
    if (entry.holdSlot === undefined) return;
    this.wheel[entry.holdSlot]?.delete(entry);
    entry.holdSlot = undefined;
    this.count--;
  }

  /** Connections held back now (for tests). */
  get size(): number {
    return this.count;
  }

  /** Cancels the timer; the service is stopping. */
  stop(): void {
    this.action?.unsubscribe();
    this.action = undefined;
    for (const slot of this.wheel) {
      for (const e of slot) e.holdSlot = undefined;
      slot.clear();
    }
    this.count = 0;
  }

  /** One bound function for every tick. Resuming may hold a connection again: it goes into a later slot. */
  private readonly tick = (): void => {
    this.action = undefined;
    this.cursor = (this.cursor + 1) % SLOTS;
    const due = this.wheel[this.cursor] as Set<HostEntry>;
    if (due.size > 0) {
      const batch = [...due];
      due.clear();
      this.count -= batch.length;
      for (const e of batch) e.holdSlot = undefined;
      for (const e of batch) e.conn.resume();
    }
    if (this.count > 0) this.action ??= this.scheduler.schedule(this.tick, TICK_MS);
  };
}
