/**
 * Delivery seen from the authors' side: a post its author saw echoed was accepted by a host, so
 * it must reach every surviving reader exactly once, whatever failed after. And per reader: how
 * many posts it should have, got, lost and got twice (for results.json).
 */
import { keyOf, postsOf, presentClients, requiredPosts, seenBy, type CheckResult, type Post } from './delivery.js';
import type { SimEvent } from './log.js';

/** Problems listed per check; the rest is counted. */
const MAX_PROBLEMS = 20;

/** Whether `p`'s author saw it come back from a host (an echo after it was typed). */
function acknowledged(log: readonly SimEvent[], p: Post): boolean {
  for (let i = p.index + 1; i < log.length; i++) {
    const e = log[i] as SimEvent;
    if (e.host === p.author && e.source === 'app' && (e.event === 'say' || e.event === 'history') && e.data['author'] === p.author && e.data['text'] === p.text) return true;
  }
  return false;
}

/** Posts whose author saw the echo. */
export function acknowledgedPosts(log: readonly SimEvent[], channelOf: ReadonlyMap<string, string>): Post[] {
  return postsOf(log, channelOf).filter((p) => acknowledged(log, p));
}

/** How many times each key appears in what `reader` saw since its latest start. */
function counts(log: readonly SimEvent[], reader: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of seenBy(log, reader)) m.set(s.key, (m.get(s.key) ?? 0) + 1);
  return m;
}

/** Per author: every acknowledged post reached every present member of its channel exactly once. */
export function checkNoAckedPostLost(log: readonly SimEvent[], channelOf: ReadonlyMap<string, string>): CheckResult {
  const acked = acknowledgedPosts(log, channelOf);
  const problems: string[] = [];
  for (const reader of presentClients(log, channelOf)) {
    const seen = counts(log, reader);
    for (const p of acked) {
      if (p.channel !== channelOf.get(reader)) continue;
      const n = seen.get(keyOf(p.author, p.text)) ?? 0;
      if (n !== 1) problems.push(`${reader} saw ${keyOf(p.author, p.text)} (acknowledged to ${p.author}) ${n === 0 ? 'never' : `${n} times`}`);
    }
  }
  if (acked.length === 0) problems.push('no post was acknowledged to its author');
  const shown = problems.slice(0, MAX_PROBLEMS);
  if (problems.length > MAX_PROBLEMS) shown.push(`… and ${problems.length - MAX_PROBLEMS} more`);
  return { ok: problems.length === 0, problems: shown };
}

/** One reader's delivery tally. */
export interface ReaderTally {
  /** Posts it must have: see `requiredPosts`, of its channel. */
  readonly expected: number;
  /** Distinct posts of netsim it saw. */
  readonly received: number;
  /** Expected posts it never saw. */
  readonly lost: number;
  /** Posts it saw more than once (each counted once). */
  readonly duplicated: number;
}

/** The tally of every member present at the end of the run (before its `teardown` marker, when there is one). */
export function readerTallies(whole: readonly SimEvent[], channelOf: ReadonlyMap<string, string>): Record<string, ReaderTally> {
  const end = whole.findIndex((e) => e.source === 'netsim' && e.event === 'teardown');
  const log = end < 0 ? whole : whole.slice(0, end);
  const posts = postsOf(log, channelOf);
  const required = requiredPosts(log, posts);
  const typed = new Set(posts.map((p) => keyOf(p.author, p.text)));
  const out: Record<string, ReaderTally> = {};
  for (const reader of presentClients(log, channelOf)) {
    const seen = counts(log, reader);
    const mine = required.filter((p) => p.channel === channelOf.get(reader));
    out[reader] = {
      expected: mine.length,
      received: [...seen.keys()].filter((k) => typed.has(k)).length,
      lost: mine.filter((p) => !seen.has(keyOf(p.author, p.text))).length,
      duplicated: [...seen].filter(([k, n]) => n > 1 && typed.has(k)).length,
    };
  }
  return out;
}
