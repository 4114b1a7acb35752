/**
 * Role selectors: hosts named by what they are at run time, not by name.
 *
 * - `survivors` / `survivors(#room)` in a condition's client list: every client (of `#room`)
 *   that runs at that moment (started, and neither exited nor killed, stopped or left since).
 * - `host: anyClient` in `joined`, `failover` and `converged`: the host is some client's
 *   embedded host, whichever (the members regrouped on a member, not on a server).
 * - `hostOf(X)` / `standbyOf(X)` as a host step's target, X a client or a channel: the same as
 *   `{ hostOf: X }` / `{ standbyOf: X }`.
 */

/** The client-list selector word. */
export const SURVIVORS = 'survivors';
/** The `host:` selector word. */
export const ANY_CLIENT = 'anyClient';
/** Words no host may be called, since they select hosts. */
export const RESERVED_NAMES: readonly string[] = [SURVIVORS, ANY_CLIENT];

const SURVIVORS_OF = /^survivors(?:\((.+)\))?$/;
const HOST_REF_CALL = /^(hostOf|standbyOf)\((.+)\)$/;

/** `survivors` → `{ channel: undefined }`, `survivors(#room)` → `{ channel: '#room' }`, else undefined. */
export function survivorsSelector(token: string): { channel: string | undefined } | undefined {
  const m = SURVIVORS_OF.exec(token);
  return m ? { channel: m[1] } : undefined;
}

/** `standbyOf(#room)` → `{ ref: 'standbyOf', target: '#room' }`, else undefined. */
export function hostRefCall(token: string): { ref: 'hostOf' | 'standbyOf'; target: string } | undefined {
  const m = HOST_REF_CALL.exec(token);
  return m ? { ref: m[1] as 'hostOf' | 'standbyOf', target: m[2] as string } : undefined;
}
