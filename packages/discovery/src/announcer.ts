/**
 * When to announce (docs/protocol.md §3): every interval, and at once after a change of the local
 * peer's state, with a hard cap on announcements per second whatever the burst.
 */
import { auditTime, merge, throttleTime, timer, type Observable, type SchedulerLike } from 'rxjs';

/** Options of `announcementTicks()`. */
export interface AnnouncerOptions {
  /** Interval between periodic announcements, in ms. @default 2000 */
  readonly intervalMs: number;
  /** Announcements per second at most, periodic and change-driven together. @default 10 */
  readonly maxPerSecond: number;
  /** Scheduler for all timing. */
  readonly scheduler: SchedulerLike;
}

/**
 * One emission per announcement to send: at subscription, every `intervalMs`, and after changes.
 * Changes made in one synchronous burst (setNick then setMemberships) coalesce into one
 * announcement (`auditTime(0)`); beyond that, `throttleTime` with leading and trailing edges sends
 * the first change at once and folds every later one into a single trailing announcement, so no
 * two announcements are closer than 1000 / maxPerSecond ms and the latest state is always sent.
 */
export function announcementTicks(change$: Observable<unknown>, options: AnnouncerOptions): Observable<unknown> {
  const { intervalMs, maxPerSecond, scheduler } = options;
  return merge(timer(0, intervalMs, scheduler), change$.pipe(auditTime(0, scheduler))).pipe(
    throttleTime(1_000 / maxPerSecond, scheduler, { leading: true, trailing: true }),
  );
}
