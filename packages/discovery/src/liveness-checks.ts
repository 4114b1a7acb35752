/**
 * The periodic liveness check of `discover()`, and the measure of our own lag it gives: each check
 * is scheduled anew `periodMs` after the previous one ran, so how late it runs is how long the event
 * loop (or the whole process) could not run (docs/protocol.md §4, local-health.ts).
 */
import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { checkScheduled, observeLag, type HealthConfig, type LocalHealth } from './local-health.js';

/** Emits the scheduler time of each check, after counting how late it ran into `health`. */
export function livenessChecks(scheduler: SchedulerLike, periodMs: number, health: LocalHealth, config: HealthConfig): Observable<number> {
  return new Observable<number>((subscriber) => {
    let pending: Subscription | undefined;
    const check = (): void => {
      const now = scheduler.now();
      observeLag(health, config, now);
      // Schedule the next one before the work, so the table's own cost is not counted as lag.
      checkScheduled(health, now, periodMs);
      pending = scheduler.schedule(check, periodMs);
      subscriber.next(now);
    };
    checkScheduled(health, scheduler.now(), periodMs);
    pending = scheduler.schedule(check, periodMs);
    return () => {
      pending?.unsubscribe();
      health.dueAt = undefined;
    };
  });
}
