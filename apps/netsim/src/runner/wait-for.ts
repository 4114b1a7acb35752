/** Waits until a condition holds on the log, or a deadline passes. No polling sleeps: re-checks on new events. */
import { auditTime, firstValueFrom, filter, fromEvent, map, of, startWith, takeUntil, timeout, defaultIfEmpty, type SchedulerLike, asyncScheduler } from 'rxjs';
import { evaluateCondition, type ConditionResult } from '../checks/conditions.js';
import type { Condition } from '../scenario/types.js';
import type { EventLog } from './event-log.js';

/** Re-checks are batched over this window, so a burst of events costs one evaluation. @default 20 */
export const RECHECK_MS = 20;

/** Resolves with the condition's result once it holds, or with the last result at the deadline. */
export function waitFor(
  log: EventLog,
  cond: Condition,
  channelOf: ReadonlyMap<string, string>,
  withinMs: number,
  signal: AbortSignal,
  scheduler: SchedulerLike = asyncScheduler,
): Promise<ConditionResult> {
  const check = (): ConditionResult => evaluateCondition(cond, log.events, channelOf);
  const aborted = signal.aborted ? of(undefined) : fromEvent(signal, 'abort');
  return firstValueFrom(
    log.changed$.pipe(
      startWith(undefined),
      auditTime(RECHECK_MS, scheduler),
      map(check),
      filter((r) => r.ok),
      timeout({ first: withinMs, scheduler, with: () => of(check()) }),
      takeUntil(aborted),
      defaultIfEmpty({ ok: false, detail: 'aborted' }),
    ),
  );
}
