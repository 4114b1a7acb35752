import { defer, mergeMap, type Observable } from 'rxjs';
import type { MemberEffect, MemberInput, MemberOptions } from './member-types.js';
import { createMember } from './member.js';

/** Runs a fresh member reducer over an input stream: each subscription gets its own state. */
export function runMember(inputs$: Observable<MemberInput>, opts: MemberOptions): Observable<MemberEffect> {
  return defer(() => {
    const member = createMember(opts);
    // Effects of one input are a synchronous array: order is kept whichever *Map is used.
    return inputs$.pipe(mergeMap((input) => member.handle(input)));
  });
}
