/**
 * Delivery checks on a recorded log: every post reaches every member exactly once, all members see
 * the same order (the host's), and a late joiner gets the earlier posts as history.
 */
import { clientView, isAlive, type SimEvent } from './log.js';

/** A post netsim typed into a client. */
export interface Post {
  readonly author: string;
  readonly text: string;
  readonly channel: string;
  readonly index: number;
}

/** Result of one check: `ok`, or the problems found (first ones, bounded). */
export interface CheckResult {
  readonly ok: boolean;
  readonly problems: readonly string[];
}

/** Problems listed per check; the rest is counted. */
const MAX_PROBLEMS = 20;

/** How a post is told apart: its author and its text (netsim numbers the texts it types, see post-text.ts). */
export const keyOf = (author: string, text: string): string => `${author}: ${JSON.stringify(text)}`;

function result(problems: string[]): CheckResult {
  const shown = problems.slice(0, MAX_PROBLEMS);
  if (problems.length > MAX_PROBLEMS) shown.push(`… and ${problems.length - MAX_PROBLEMS} more`);
  return { ok: problems.length === 0, problems: shown };
}

/** The posts of the log, with the channel of their author. */
export function postsOf(log: readonly SimEvent[], channelOf: ReadonlyMap<string, string>): Post[] {
  const out: Post[] = [];
  log.forEach((e, index) => {
    if (e.source === 'netsim' && e.event === 'post' && typeof e.data['text'] === 'string') {
      out.push({ author: e.host, text: e.data['text'], channel: channelOf.get(e.host) ?? '', index });
    }
  });
  return out;
}

/** One post as a client saw it: key, `say` or `history`, log index, and the host it came from. */
export interface Seen {
  readonly key: string;
  readonly kind: string;
  readonly index: number;
  readonly from: string | undefined;
}

/** Keys (`author: "text"`) a client saw since its latest start, in order. */
export function seenBy(log: readonly SimEvent[], client: string): Seen[] {
  const start = clientView(log, client).startIndex;
  const out: Seen[] = [];
  let host: string | undefined;
  for (let i = Math.max(start, 0); i < log.length; i++) {
    const e = log[i] as SimEvent;
    if (e.host !== client || e.source !== 'app') continue;
    if ((e.event === 'joined' || e.event === 'failover') && typeof e.data['host'] === 'string') host = e.data['host'];
    if (e.event !== 'say' && e.event !== 'history') continue;
    if (typeof e.data['author'] === 'string' && typeof e.data['text'] === 'string') out.push({ key: keyOf(e.data['author'], e.data['text']), kind: e.event, index: i, from: host });
  }
  return out;
}

/**
 * A post must arrive when its author still runs at the end, or when the author saw its echo
 * (then a host had it). Posts of authors killed before the echo may be lost, but never doubled.
 */
export function requiredPosts(log: readonly SimEvent[], posts: readonly Post[]): Post[] {
  const echoes = new Map<string, Map<string, number>>();
  const echoOf = (author: string): Map<string, number> => {
    let m = echoes.get(author);
    if (!m) {
      m = new Map(seenBy(log, author).map((s) => [s.key, s.index]));
      echoes.set(author, m);
    }
    return m;
  };
  return posts.filter((p) => isAlive(log, p.author) || (echoOf(p.author).get(keyOf(p.author, p.text)) ?? -1) > p.index);
}

/** Clients that run and are joined at the end of the log. */
export function presentClients(log: readonly SimEvent[], channelOf: ReadonlyMap<string, string>): string[] {
  return [...channelOf.keys()].filter((c) => {
    const v = clientView(log, c);
    return v.alive && v.host !== undefined;
  });
}

/** Every post delivered exactly once to every present member of its channel, in one order for all. */
export function checkExactlyOnce(log: readonly SimEvent[], channelOf: ReadonlyMap<string, string>): CheckResult {
  const problems: string[] = [];
  const posts = postsOf(log, channelOf);
  const required = requiredPosts(log, posts);
  const present = presentClients(log, channelOf);
  const seenAll = new Map<string, Seen[]>();
  for (const c of present) {
    const seen = seenBy(log, c);
    const counts = new Map<string, number>();
    for (const s of seen) counts.set(s.key, (counts.get(s.key) ?? 0) + 1);
    for (const [k, n] of counts) if (n > 1) problems.push(`${c} saw ${k} ${n} times`);
    for (const p of required) {
      if (p.channel === channelOf.get(c) && !counts.has(keyOf(p.author, p.text))) problems.push(`${c} never saw ${keyOf(p.author, p.text)}`);
    }
    seenAll.set(c, seen);
  }
  problems.push(...orderProblems(present, seenAll, channelOf));
  return result(problems);
}

/**
 * "In the host's order": posts two members got from the same host appear in the same relative
 * order. Posts from different hosts (a partition) have no common order to agree on.
 */
function orderProblems(present: readonly string[], seen: ReadonlyMap<string, Seen[]>, channelOf: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const byHost = (c: string): Map<string, string[]> => {
    const m = new Map<string, string[]>();
    const first = new Set<string>();
    for (const s of seen.get(c) ?? []) {
      if (s.from === undefined || first.has(s.key)) continue;
      first.add(s.key);
      m.set(s.from, [...(m.get(s.from) ?? []), s.key]);
    }
    return m;
  };
  const views = new Map(present.map((c) => [c, byHost(c)]));
  present.forEach((c, i) => {
    // One reference per client is enough: agreement with the first member is transitive.
    const ref = present.slice(0, i).find((r) => channelOf.get(r) === channelOf.get(c));
    if (ref === undefined) return;
    for (const [host, mineAll] of views.get(c) ?? []) {
      const theirsAll = views.get(ref)?.get(host) ?? [];
      const aSet = new Set(theirsAll);
      const bSet = new Set(mineAll);
      const theirs = theirsAll.filter((k) => bSet.has(k));
      const mine = mineAll.filter((k) => aSet.has(k));
      const at = theirs.findIndex((k, j) => mine[j] !== k);
      if (at >= 0) problems.push(`${c} and ${ref} disagree on ${host}'s order at shared post ${at + 1}: ${mine[at]} vs ${theirs[at]}`);
    }
  });
  return problems;
}

/** Each named client got, as history, every required post of its channel made before its latest start. */
export function checkHistory(log: readonly SimEvent[], channelOf: ReadonlyMap<string, string>, clients: readonly string[]): CheckResult {
  const problems: string[] = [];
  const required = requiredPosts(log, postsOf(log, channelOf));
  for (const c of clients) {
    const start = clientView(log, c).startIndex;
    if (start < 0) {
      problems.push(`${c} never started`);
      continue;
    }
    const seen = seenBy(log, c);
    const history = new Set(seen.filter((s) => s.kind === 'history').map((s) => s.key));
    // After a partition heals, the sides merge: posts of the other side arrive live, not as history.
    const heal = log.findIndex((e, i) => i > start && e.source === 'netsim' && e.event === 'heal');
    const merged = new Set(heal < 0 ? [] : seen.filter((s) => s.kind === 'say' && s.index > heal).map((s) => s.key));
    for (const p of required) {
      const key = keyOf(p.author, p.text);
      if (p.index < start && p.channel === channelOf.get(c) && !history.has(key) && !merged.has(key)) {
        problems.push(`${c} did not get ${key} as history`);
      }
    }
  }
  return result(problems);
}
