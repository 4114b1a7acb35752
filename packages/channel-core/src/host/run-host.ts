import { asyncScheduler, defer, mergeMap, type Observable, type SchedulerLike } from 'rxjs';
import type { HostEffect, HostInput, HostOptions } from '../types.js';
import { createHost } from './host.js';

/** Options of `runHost`: the host's plus the clock. */
export interface RunHostOptions extends HostOptions {
  /** Clock for post and join times. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/** Runs a fresh host over an input stream: each subscription gets its own state. */
export function runHost(inputs$: Observable<HostInput>, opts: RunHostOptions): Observable<HostEffect> {
  const { scheduler = asyncScheduler, ...hostOpts } = opts;
  return defer(() => {
    const host = createHost(hostOpts, () => scheduler.now());
    // Effects of one input are a synchronous array: order is kept whichever *Map is used.
    return inputs$.pipe(mergeMap((input) => host.handle(input)));
  });
}
