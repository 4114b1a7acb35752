/**
 * History alignment after a (re)join (docs/architecture.md "No loss, no duplicates"): compares the
 * new host's history with what this member already saw and with its unechoed posts.
 */

/** A post as a member sees it: (author, text) is its identity. */
export interface SeenPost {
  readonly author: string;
  readonly text: string;
}

/** What to do after a rejoin. */
export interface Alignment {
  /** History entries not seen yet: show each once, in order. */
  readonly fresh: SeenPost[];
  /** Own posts to send again, oldest first: echoed ones the new host lost, then unechoed ones it lacks. */
  readonly resend: string[];
  /** Own pending posts the history already holds: no longer pending. */
  readonly echoed: string[];
  /** Seen posts the new host lost: their authors re-send them; swallow one live SAY each. */
  readonly expect: SeenPost[];
}

const same = (a: SeenPost, b: SeenPost): boolean => a.author === b.author && a.text === b.text;

/**
 * Aligns `history` (the new host's, oldest first) with `seen` (ours, oldest first) and `pending`.
 * Every member received a prefix of the old host's posts, so the posts the new host lacks are the
 * tail of `seen` after its last entry found (in order) in `history`. Identical (author, text) pairs
 * are matched greedily, oldest first.
 */
export function alignHistory(seen: readonly SeenPost[], history: readonly SeenPost[], pending: readonly string[], selfId: string): Alignment {
  const matched = new Array<boolean>(history.length).fill(false);
  let j = 0;
  let lastSeenMatched = -1;
  for (let i = 0; i < seen.length; i++) {
    const s = seen[i] as SeenPost;
    for (let k = j; k < history.length; k++) {
      if (same(s, history[k] as SeenPost)) {
        matched[k] = true;
        j = k + 1;
        lastSeenMatched = i;
        break;
      }
    }
  }
  const fresh = history.filter((_, k) => !matched[k]);
  // Our unechoed posts that reached the new host count as echoed (and are shown once, in `fresh`).
  const freshOwn = fresh.filter((p) => p.author === selfId).map((p) => p.text);
  const echoed: string[] = [];
  const expect: SeenPost[] = [];
  const resend: string[] = [];
  // No overlap at all: the histories share nothing we can align on, so we cannot tell what was lost.
  if (lastSeenMatched >= 0 || history.length === 0) {
    for (const s of seen.slice(lastSeenMatched + 1)) {
      expect.push(s);
      if (s.author === selfId) resend.push(s.text);
    }
  }
  for (const text of pending) {
    const at = freshOwn.indexOf(text);
    if (at >= 0) {
      freshOwn.splice(at, 1);
      echoed.push(text);
    } else {
      resend.push(text);
    }
  }
  return { fresh, resend, echoed, expect };
}
