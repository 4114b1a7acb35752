/**
 * Test helper: a HistoryStore whose commits fail while `failing` is set (a full disk), and that
 * records what every commit saw, so specs can check an echo never leaves before its commit.
 */
import type { Post } from '@ims/channel-core';
import { type CommitResult, type HistoryStore, memoryHistoryStore } from '../src/history-store.js';

/** A memory store with a switch for failures and a hook run inside each commit. */
export class FakeStore implements HistoryStore {
  /** Commits fail (and store nothing) while set. */
  failing = false;
  /** Posts appended, in order (stored or not). */
  readonly appended: string[] = [];
  /** The size of every commit attempt. */
  readonly commits: number[] = [];
  /** Runs inside every commit, before it decides: specs inspect the clients here. */
  onCommit: () => void = () => undefined;
  private readonly inner = memoryHistoryStore();
  private queued: { channel: string; post: Post }[] = [];

  loadAll(limit: number): Map<string, Post[]> {
    return this.inner.loadAll(limit);
  }

  append(channel: string, post: Post): void {
    this.appended.push(post.text);
    this.queued.push({ channel, post });
  }

  commit(): CommitResult {
    const batch = this.queued;
    this.queued = [];
    this.commits.push(batch.length);
    this.onCommit();
    if (this.failing) return { ok: false, posts: batch.length, error: new Error('ENOSPC: no space left on device') };
    for (const { channel, post } of batch) this.inner.append(channel, post);
    return this.inner.commit();
  }

  /** The texts stored for `channel`. */
  stored(channel: string): string[] {
    return (this.inner.loadAll(1000).get(channel) ?? []).map((p) => p.text);
  }

  flush(): Promise<void> {
    this.commit();
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
