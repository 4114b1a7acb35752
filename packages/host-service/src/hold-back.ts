/**
 * Connections held back by a shared budget (their address's frames, their channel's fan-out):
 * paused, so their bytes wait in TCP and cost the host nothing, and resumed together by one timer
 * every HOLD_MS, starting from a different one each time so none is starved behind the others.
 * Only connections over a budget are here: nothing per member on the hot path.
 */
import type { SchedulerLike, Subscription } from 'rxjs';
import type { HostEntry } from './host-entry.js';

/** ms a held-back connection waits before it is read again (the budgets refill meanwhile). */
export const HOLD_MS = 20;

/** The paused connections and the one timer that resumes them. */
export class HoldBack {
  private held = new Set<HostEntry>();
  private action: Subscription | undefined;
  private turn = 0;

  constructor(private readonly scheduler: SchedulerLike) {}

  /** Pauses `entry` (the frame it is delivering now comes again) until the next round. */
  hold(entry: HostEntry): void {
    entry.conn.pause();
    this.held.add(entry);
    this.action ??= this.scheduler.schedule(this.resumeAll, HOLD_MS);
  }

  /** The connection of `entry` is gone. */
  forget(entry: HostEntry): void {
    this.held.delete(entry);
  }

  /** Connections held back now (for tests and stats). */
  get size(): number {
    return this.held.size;
  }

  /** Cancels the timer; the service is stopping. */
  stop(): void {
    this.action?.unsubscribe();
    this.action = undefined;
    this.held.clear();
  }

  /** One bound function for every round. Resuming may hold a connection again: it joins the next round. */
  private readonly resumeAll = (): void => {
    this.action = undefined;
    const batch = [...this.held];
    this.held = new Set();
    const start = this.turn++ % Math.max(1, batch.length);
    for (let i = 0; i < batch.length; i++) (batch[(start + i) % batch.length] as HostEntry).conn.resume();
  };
}
