/**
 * Where a host keeps channel history, and the admission lists of private channels (docs/protocol.md
 * §8), across restarts. The channel server implements it on SQLite;
 * `memoryHistoryStore` is the bounded in-memory one for peer-client's embedded host and tests.
 */
import { HOST_DEFAULTS, type Post } from '@ims/channel-core';

/** What {@link HistoryStore.commit} reports: how many queued posts it wrote, or why none of them were. */
export type CommitResult = { readonly ok: true; readonly posts: number } | { readonly ok: false; readonly posts: number; readonly error: unknown };

/**
 * Persistent channel history, written by group commit: the host `append`s the posts of one
 * event-loop turn, then calls `commit()` once, before any echo of them leaves (docs/protocol.md §6.2
 * STORE_UNAVAILABLE). A commit is all or nothing.
 */
export interface HistoryStore {
  /** Every stored channel with its newest `limitPerChannel` posts, oldest first (read once at start). */
  loadAll(limitPerChannel: number): Map<string, Post[]>;
  /** Queues one accepted post for the next `commit`. Cheap and synchronous; never throws. */
  append(channel: string, post: Post): void;
  /**
   * The admission list of every stored private channel (docs/protocol.md §8), read once at start.
   * Optional: a store without it (and without `admit`) keeps no lists, which then live in memory only.
   */
  loadAdmissions?(): Map<string, string[]>;
  /**
   * Queues peer IDs admitted to a private channel for the next `commit`, written in the same
   * transaction as the posts; an ID already stored is no error. Cheap and synchronous; never throws.
   */
  admit?(channel: string, ids: readonly string[]): void;
  /**
   * Writes every queued post durably (surviving a kill of the process), synchronously and in one
   * transaction, and empties the queue. On failure (disk full, I/O error) none of them is stored:
   * the result says so instead of throwing.
   */
  commit(): CommitResult;
  /** Resolves once everything appended so far is stored (a `commit`; a failure is reported by the store itself). */
  flush(): Promise<void>;
  /** Flushes and releases resources; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** Options of {@link memoryHistoryStore}. */
export interface MemoryHistoryStoreOptions {
  /** Posts kept per channel (the oldest are dropped first). @default 1000 */
  readonly maxPostsPerChannel?: number;
  /** Channels kept (the least recently written is dropped first). @default 10_000 */
  readonly maxChannels?: number;
}

/** A bounded in-memory HistoryStore (nothing survives the process). */
export function memoryHistoryStore(options: MemoryHistoryStoreOptions = {}): HistoryStore {
  const maxPosts = options.maxPostsPerChannel ?? HOST_DEFAULTS.historyLimit;
  const maxChannels = options.maxChannels ?? HOST_DEFAULTS.maxChannels;
  // Map iteration order is insertion order: re-inserting on write keeps LRU order cheaply.
  const channels = new Map<string, Post[]>();
  let closed = false;
  let queued: { readonly channel: string; readonly post: Post }[] = [];
  // Admission lists are never dropped (the host bounds how many there are: maxPrivateChannels).
  const admissions = new Map<string, Set<string>>();
  let queuedAdmits: { readonly channel: string; readonly ids: readonly string[] }[] = [];
  const write = (channel: string, post: Post): void => {
    let posts = channels.get(channel);
    if (posts === undefined) {
      posts = [];
      if (channels.size >= maxChannels) {
        const oldest = channels.keys().next();
        if (!oldest.done) channels.delete(oldest.value);
      }
    } else {
      channels.delete(channel);
    }
    channels.set(channel, posts);
    posts.push(post);
    // Trim in blocks so the hot path is not an O(n) shift per post.
    if (posts.length > maxPosts + Math.max(16, maxPosts >> 3)) posts.splice(0, posts.length - maxPosts);
  };
  // Memory never fails to take a post: every commit succeeds.
  const commit = (): CommitResult => {
    const batch = queued;
    queued = [];
    for (const { channel, post } of batch) write(channel, post);
    for (const { channel, ids } of queuedAdmits) {
      const list = admissions.get(channel) ?? new Set<string>();
      admissions.set(channel, list);
      for (const id of ids) list.add(id);
    }
    queuedAdmits = [];
    return { ok: true, posts: batch.length };
  };
  return {
    loadAll(limit) {
      const out = new Map<string, Post[]>();
      const keep = Math.min(limit, maxPosts);
      for (const [name, posts] of channels) out.set(name, posts.slice(Math.max(0, posts.length - keep)));
      return out;
    },
    append(channel, post) {
      if (!closed) queued.push({ channel, post });
    },
    loadAdmissions() {
      return new Map([...admissions].map(([channel, ids]) => [channel, [...ids]]));
    },
    admit(channel, ids) {
      if (!closed) queuedAdmits.push({ channel, ids: [...ids] });
    },
    commit,
    flush() {
      commit();
      return Promise.resolve();
    },
    close() {
      commit();
      closed = true;
      return Promise.resolve();
    },
  };
}
