/**
 * Where a host keeps channel history across restarts. The channel server implements it on SQLite;
 * `memoryHistoryStore` is the bounded in-memory one for peer-client's embedded host and tests.
 */
import { HOST_DEFAULTS, type Post } from '@ims/channel-core';

/** Persistent channel history. `append` is synchronous and cheap (buffer it); `flush` makes it durable. */
export interface HistoryStore {
  /** Every stored channel with its newest `limitPerChannel` posts, oldest first (read once at start). */
  loadAll(limitPerChannel: number): Map<string, Post[]>;
  /** Records one accepted post. Must not throw for I/O trouble: log it and keep serving. */
  append(channel: string, post: Post): void;
  /** Resolves once everything appended so far is stored. */
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
  return {
    loadAll(limit) {
      const out = new Map<string, Post[]>();
      const keep = Math.min(limit, maxPosts);
      for (const [name, posts] of channels) out.set(name, posts.slice(Math.max(0, posts.length - keep)));
      return out;
    },
    append(channel, post) {
      if (closed) return;
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
    },
    flush: () => Promise.resolve(),
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
