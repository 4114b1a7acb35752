/**
 * History alignment after a (re)join (docs/architecture.md "No loss, no duplicates"): compares the
 * new host's history with what this member already saw and with its unechoed posts.
 */

/** A post as a member sees it: (author, text) is its identity. */
export interface SeenPost {
  readonly author: string;
  readonly text: string;
}

/** What to do after a rejoin; `P` is the caller's post type (a `SeenPost` with more fields). */
export interface Alignment<P extends SeenPost = SeenPost> {
  /** History entries not seen yet: show each once, in order. */
  readonly fresh: P[];
  /** Own posts to send again, oldest first: echoed ones the new host lost, then unechoed ones it lacks. */
  readonly resend: string[];
  /** Own pending posts the history already holds: no longer pending. */
  readonly echoed: string[];
  /** Seen posts the new host lost: their authors re-send them; swallow one live SAY each. */
  readonly expect: P[];
}

const keyOf = (p: SeenPost): string => `${p.author}\0${p.text}`;

function countKeys(posts: readonly SeenPost[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of posts) counts.set(keyOf(p), (counts.get(keyOf(p)) ?? 0) + 1);
  return counts;
}

/** Takes one `key` from `counts`; false when none is left. */
function take(counts: Map<string, number>, key: string): boolean {
  const n = counts.get(key) ?? 0;
  if (n === 0) return false;
  counts.set(key, n - 1);
  return true;
}

/**
 * Aligns `history` (the new host's, oldest first) with `seen` (ours, oldest first) and `pending`.
 * Posts are matched as a multiset of (author, text), because re-sent posts reach the new host in
 * any order. A seen post the new history lacks was lost by the new host (it received a shorter
 * prefix of the old host's posts than we did), unless `historyTruncated` (the history filled the
 * host's limit): then seen posts before the first one the new host has are older than its window.
 */
export function alignHistory<P extends SeenPost>(
  seen: readonly P[],
  history: readonly P[],
  pending: readonly string[],
  selfId: string,
  historyTruncated = false,
): Alignment<P> {
  const inHistory = countKeys(history);
  const expect: P[] = [];
  let anyMatched = false;
  for (const s of seen) {
    if (take(inHistory, keyOf(s))) anyMatched = true;
    else if (anyMatched || !historyTruncated) expect.push(s);
  }
  const inSeen = countKeys(seen);
  const fresh = history.filter((h) => !take(inSeen, keyOf(h)));
  const resend = expect.filter((s) => s.author === selfId).map((s) => s.text);
  // Our unechoed posts that reached the new host count as echoed (and are shown once, in `fresh`).
  const freshOwn = countKeys(fresh.filter((p) => p.author === selfId));
  const echoed: string[] = [];
  for (const text of pending) {
    if (take(freshOwn, keyOf({ author: selfId, text }))) echoed.push(text);
    else resend.push(text);
  }
  return { fresh, resend, echoed, expect };
}
