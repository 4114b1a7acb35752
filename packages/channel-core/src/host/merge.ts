/**
 * Merge of a channel copy pulled from another host after a split (docs/protocol.md §5.8): the
 * posts this host lacks join its history in time order, once each.
 */
import type { Post, PulledPost } from '../types.js';
import type { ChannelState, ConnState, HostContext } from './host-context.js';

/**
 * How long after a merge a member's re-send of a post it added is swallowed, and how recently that
 * member must have joined: members that moved from the other copy re-send their own posts this
 * host lacked (docs/protocol.md §5.7), paced (a full history takes ~13 s at 80 posts/s).
 */
export const RESEND_WINDOW_MS = 30_000;

/** The result of {@link mergeHistory}: the new history and which of its posts were added. */
export interface MergedHistory {
  /** The union, oldest first, at most `limit` posts. */
  readonly posts: Post[];
  /** The added posts (a subset of `posts`, same objects), oldest first. */
  readonly added: Post[];
  /** `posts` differs from the history (added posts, or ours moved to the other copy's earlier time). */
  readonly changed: boolean;
}

const keyOf = (p: { readonly authorId: string; readonly text: string }): string => `${p.authorId}\0${p.text}`;

/** One pulled post this history lacks, with the time it sorts by. */
interface Missing {
  readonly post: PulledPost;
  /** Its `at`, else the time of what precedes it in the pulled order (-Infinity: nothing does). */
  readonly sortAt: number;
}

/**
 * The pulled posts `history` lacks, matched as a multiset on (author, text) as members align
 * (docs/protocol.md §5.7): the two copies stamped the same post at different times (a takeover
 * host's archive holds its members' arrival times), so times cannot identify posts. Repeats match
 * newest first, as both histories keep their newest posts: a repeat older than our window is the
 * one left over, and falls out of the window again.
 */
function matchPosts(history: readonly Post[], pulled: readonly PulledPost[]): { ours: Post[]; missing: Missing[] } {
  const slots = new Map<string, number[]>();
  history.forEach((h, i) => {
    const key = keyOf(h);
    const list = slots.get(key);
    if (list === undefined) slots.set(key, [i]);
    else list.push(i);
  });
  const matchOf: (number | undefined)[] = [];
  for (let k = pulled.length - 1; k >= 0; k--) matchOf[k] = slots.get(keyOf(pulled[k] as PulledPost))?.pop();
  const ours = [...history];
  let retimed = false;
  const missing: Missing[] = [];
  let anchor = -Infinity;
  pulled.forEach((p, k) => {
    const at = p.at !== undefined && Number.isSafeInteger(p.at) ? p.at : undefined;
    const match = matchOf[k];
    if (match !== undefined) {
      // Our copy is a member's re-send (§5.7) or an arrival time: the other copy's earlier time is
      // when the post was first accepted, and puts it back in its place.
      const h = ours[match] as Post;
      if (at !== undefined && at < h.at) {
        ours[match] = { ...h, at };
        retimed = true;
      }
      // A time-less post that follows it goes after our copy of it.
      anchor = (ours[match] as Post).at;
      return;
    }
    const sortAt = at ?? anchor;
    anchor = sortAt;
    missing.push({ post: p, sortAt });
  });
  // A stable sort: only the posts that moved change places.
  if (retimed) ours.sort((a, b) => a.at - b.at);
  return { ours, missing };
}

/**
 * `history` ∪ `pulled` (both oldest first), the newest `limit` kept. Missing posts go in by time,
 * stably: on equal times our own post comes first, and each list keeps its own order, except that
 * a post of ours the other copy accepted earlier takes that time and place. A merge of what is
 * already there changes nothing (idempotent).
 */
export function mergeHistory(history: readonly Post[], pulled: readonly PulledPost[], limit: number, now: number): MergedHistory {
  if (limit === 0) return { posts: [], added: [], changed: history.length > 0 };
  // Both copies keep their newest posts; older ones are outside the window of either.
  const matched = matchPosts(history, pulled.slice(-limit));
  const ours = matched.ours;
  const changed = ours.some((p, i) => p !== history[i]);
  let missing = matched.missing;
  const oldest = ours[0];
  if (ours.length >= limit && oldest !== undefined) missing = missing.filter((m) => m.sortAt > oldest.at);
  if (missing.length === 0) return { posts: ours.slice(-limit), added: [], changed };
  const out: Post[] = [];
  const fresh = new Set<Post>();
  let i = 0;
  let j = 0;
  while (i < ours.length || j < missing.length) {
    const m = missing[j];
    const h = ours[i];
    if (m !== undefined && (h === undefined || m.sortAt < h.at)) {
      // A time-less post takes the time of what precedes it (or follows it, or now), so the store keeps an order.
      const at = Number.isFinite(m.sortAt) ? m.sortAt : (h?.at ?? out.at(-1)?.at ?? now);
      const post: Post = { authorId: m.post.authorId, text: m.post.text, at };
      out.push(post);
      fresh.add(post);
      j++;
    } else {
      out.push(h as Post);
      i++;
    }
  }
  const posts = out.length > limit ? out.slice(out.length - limit) : out;
  const added = posts.filter((p) => fresh.has(p));
  return { posts, added, changed: changed || added.length > 0 };
}

/**
 * HostInput `merge`: a live channel gains the missing posts in its history, stores them and sends
 * them live to its members (members that came from the other copy swallow them: §5.7); a channel
 * that is not live gets them in its archive, for the JOIN that recreates it.
 */
export function onMerge(ctx: HostContext, channel: string, pulled: readonly PulledPost[]): void {
  const limit = ctx.opts.historyLimit;
  const ch = ctx.channels.get(channel);
  if (ch === undefined) {
    const archived = ctx.archive.get(channel);
    const { posts, added, changed } = mergeHistory(archived?.posts ?? [], pulled, limit, ctx.now());
    if (changed) {
      ctx.storeArchive(channel, { posts });
      for (const post of added) ctx.out.push({ kind: 'persist', channel, post });
    }
    ctx.log('info', 'merged', { channel, live: false, pulled: pulled.length, added: added.length });
    return;
  }
  const { posts, added, changed } = mergeHistory(ch.history.toArray(), pulled, limit, ctx.now());
  if (changed) ch.history.replace(posts);
  expectResends(ctx, ch, added);
  for (const post of added) {
    // Live SAYs go without `at` (docs/protocol.md §2.8): members show them as new posts.
    ctx.out.push(
      { kind: 'broadcast', conns: ctx.connsOf(ch), command: { cmd: 'SAY', authorId: post.authorId, text: post.text } },
      { kind: 'persist', channel, post },
    );
  }
  ctx.log('info', 'merged', { channel, live: true, pulled: pulled.length, added: added.length });
}

/**
 * A member that moved here from the other copy showed its own added post at the broadcast below
 * (as the echo of its re-send), and that re-send may still be on its way: it must not become a
 * second post. Only members that joined within the window and are still on the same connection.
 */
function expectResends(ctx: HostContext, ch: ChannelState, added: readonly Post[]): void {
  const now = ctx.now();
  const until = now + RESEND_WINDOW_MS;
  for (const [key, e] of ch.resends ?? []) if (e.until < now) ch.resends?.delete(key);
  for (const post of added) {
    const m = ch.members.get(post.authorId);
    if (m === undefined || m.joinedAt < now - RESEND_WINDOW_MS) continue;
    ch.resends ??= new Map();
    const key = `${m.conn}\0${post.text}`;
    ch.resends.set(key, { n: (ch.resends.get(key)?.n ?? 0) + 1, until });
  }
  if (ch.resends?.size === 0) ch.resends = undefined;
}

/** A SAY that is a re-send of a post a merge already added and broadcast: swallowed (true), no second copy. */
export function absorbResend(ctx: HostContext, ch: ChannelState, cs: ConnState, text: string): boolean {
  const resends = ch.resends as Map<string, { n: number; readonly until: number }>;
  const key = `${cs.conn}\0${text}`;
  const e = resends.get(key);
  if (e === undefined) return false;
  const live = e.until >= ctx.now();
  if (--e.n <= 0 || !live) resends.delete(key);
  if (resends.size === 0) ch.resends = undefined;
  if (live) ctx.log('debug', 'resend-absorbed', { conn: cs.conn, peer: cs.memberId, channel: ch.name });
  return live;
}
