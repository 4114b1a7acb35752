/**
 * The host reducer's deadlines (its `wake` effects) on the runtime's scheduler: one timer, for the
 * earliest deadline asked for; the reducer asks again for the next one when it handles `tick`.
 */
import type { SchedulerLike, Subscription } from 'rxjs';

/** One re-armable timer feeding `tick`. */
export class WakeTimer {
  private due = Infinity;
  private timer: Subscription | undefined;
  private stopped = false;

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly tick: () => void,
  ) {}

  /** Ticks at `at` (scheduler time) unless an earlier tick is already due. */
  at(at: number): void {
    if (this.stopped || at >= this.due) return;
    this.timer?.unsubscribe();
    this.due = at;
    this.timer = this.scheduler.schedule(() => {
      this.due = Infinity;
      this.timer = undefined;
      this.tick();
    }, Math.max(0, at - this.scheduler.now()));
  }

  /** No more ticks. */
  stop(): void {
    this.stopped = true;
    this.timer?.unsubscribe();
    this.timer = undefined;
  }
}
