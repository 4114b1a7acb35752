/**
 * Whether the history store can take posts, from the outcome of each group commit. While it cannot,
 * SAYs are refused before the reducer (docs/protocol.md §6.2 STORE_UNAVAILABLE), except one probe
 * post per `probeMs`: when its commit succeeds, the host serves posts again by itself.
 */
import type { Logger } from '@ims/app-kit';

/** Store counters for /metrics. */
export interface StoreStats {
  /** False from a failed commit until a probe commit succeeds. */
  readonly writable: boolean;
  /** Posts stored by successful commits. */
  readonly committedPosts: number;
  /** Posts refused for the store: taken back after a failed commit, or refused while it was failing. */
  readonly refusedPosts: number;
  /** Group commits that failed. */
  readonly failedCommits: number;
}

/** Default ms between two probe posts while the store fails. */
export const STORE_PROBE_MS = 1_000;

/** Store health for one host service: one log line when it starts failing, one when it recovers. */
export class StoreHealth {
  private writable = true;
  private committed = 0;
  private refused = 0;
  private failedCommits = 0;
  private nextProbeAt = 0;
  /** The current failing episode: since when, and what it cost so far. */
  private episode = { since: 0, refused: 0, failedCommits: 0 };

  constructor(
    private readonly logger: Logger,
    private readonly probeMs = STORE_PROBE_MS,
  ) {}

  /** May a SAY reach the reducer now? While failing, one per `probeMs` does: its commit is the probe. */
  admits(now: number): boolean {
    if (this.writable) return true;
    if (now < this.nextProbeAt) return false;
    this.nextProbeAt = now + this.probeMs;
    return true;
  }

  /** One SAY refused before the reducer. */
  refusedOne(): void {
    this.refused++;
    this.episode.refused++;
  }

  /** The outcome of one group commit of `posts` posts. */
  commitDone(ok: boolean, posts: number, now: number, error?: unknown): void {
    if (ok) {
      this.committed += posts;
      if (this.writable) return;
      this.writable = true;
      const { since, refused, failedCommits } = this.episode;
      this.logger.warn('host.store_recovered', { downMs: now - since, refusedPosts: refused, failedCommits });
      return;
    }
    this.refused += posts;
    this.failedCommits++;
    if (this.writable) {
      this.writable = false;
      this.episode = { since: now, refused: 0, failedCommits: 0 };
      this.logger.error('host.store_unavailable', { posts, err: error, note: `posts are refused with STORE_UNAVAILABLE; probing every ${this.probeMs} ms` });
    }
    this.episode.refused += posts;
    this.episode.failedCommits++;
    this.nextProbeAt = now + this.probeMs;
  }

  /** Counters and the gauge, for HostStats. */
  stats(): StoreStats {
    return { writable: this.writable, committedPosts: this.committed, refusedPosts: this.refused, failedCommits: this.failedCommits };
  }
}
