/**
 * Partition heal, history side (docs/protocol.md §5.8): when a peer with a larger ID announces a
 * public channel this host announces (so this host is the winner), pull that peer's copy and
 * merge it, so the channel converges with the union of both histories. At most one pull per
 * (peer, channel) at a time and a few in all; a failed pull is retried with backoff, and a peer
 * that keeps announcing the channel is pulled again now and then (posts made there meanwhile).
 */
import { compareIds, isPublicChannel } from '@ims/codec';
import type { PulledPost } from '@ims/channel-core';
import type { Logger } from '@ims/app-kit';
import type { Transport } from '@ims/transport';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { DiscoveredPeer } from './host-discovery.js';
import { pullHistory } from './history-pull.js';
import { YieldLinger } from './yield-linger.js';

/** Options of {@link HistoryPuller}. */
export interface HistoryPullerOptions {
  /** This host's peer ID: peers with a larger one yield to it (§5.8). */
  readonly peerId: string;
  readonly transport: Transport;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  /** Posts kept from a pull (the newest): the host's history limit. */
  readonly historyLimit: number;
  /** Largest frame accepted from the other host. */
  readonly maxFrameBytes: number;
  /** Feeds the pulled posts to the host reducer (HostInput `merge`). */
  readonly merge: (channel: string, posts: readonly PulledPost[]) => void;
  /** ms a pull may take from dial to STANDBY. @default 10_000 */
  readonly timeoutMs?: number;
  /** ms after a pull before the same peer's copy is pulled again, if it still announces the channel. @default 15_000 */
  readonly repullMs?: number;
  /** ms before the first retry of a failed pull; doubles per failure. @default 1_000 */
  readonly retryMs?: number;
  /** Cap of the retry delay. @default 30_000 */
  readonly maxRetryMs?: number;
  /** Pulls in flight at once (a heal may concern hundreds of channels). @default 4 */
  readonly maxConcurrent?: number;
  /** Announces a channel list again (a yielded channel stops lingering, yield-linger.ts). @default nothing */
  readonly reannounce?: (channels: readonly string[]) => void;
  /** ms a channel yielded to a smaller ID stays announced, so that host hears of this copy. @default 5_000 */
  readonly yieldLingerMs?: number;
}

/** Counters of the pulls, for stats. */
export interface PullStats {
  /** Pulls that read a whole history. */
  readonly pulls: number;
  /** Pulls that failed (dial, refusal, close, timeout). */
  readonly failures: number;
  /** Posts read by the successful pulls. */
  readonly posts: number;
}

/**
 * The JOIN clientId of a pull in plain mode: not our peer ID, so it never replaces our own member
 * session there (REPLACED) nor becomes standby.
 *
 * In secure mode the other host accepts only our proven peer ID (IDENTITY_MISMATCH otherwise), so
 * the pull JOINs as this host's own peer ID (history-pull.ts `provenClientId`). What that changes:
 * - Standby: for the pull's few milliseconds (JOIN, history, STANDBY, EXIT) we are a member there
 *   and may be picked as its standby; the host picks again when we EXIT. At most two extra STANDBY
 *   broadcasts at the other host per pull, naming the host its members converge on anyway (§5.8).
 * - REPLACED: never. When our own member session is in that channel there on a live connection
 *   (a peer-client still following the loser's copy, a standby replica), the pull's JOIN meets the
 *   check of docs/protocol.md §2.6: that connection answers the probe, so after `replaceCheckMs`
 *   (2 s) the pull is refused ID_IN_USE, a failed pull retried with back-off; by then the member
 *   session has usually moved to us by the partition rule (§5.8). It is replaced at once only when
 *   discovery shows us at the pull's address and the member session came from another (§2.6).
 * - A member session of ours that JOINs while a pull is there waits out the pull (the same check).
 */
export const pullClientId = (peerId: string): string => `${peerId}~history`;

/** One (peer, channel) pair: `due` waits for a free slot, `waiting` for its retry or re-pull timer. */
interface PullState {
  phase: 'due' | 'running' | 'waiting';
  failures: number;
  timer: Subscription | undefined;
}

/** Watches discovery and the host's announcements; pulls and merges what the larger IDs hold. */
export class HistoryPuller {
  private readonly opts: Required<HistoryPullerOptions>;
  /** The host's public channels as last announced; their set is built only when a larger host could hold one (wanted()). */
  private announcedList: readonly string[] = [];
  private announced: ReadonlySet<string> | undefined;
  private peers: readonly DiscoveredPeer[] = [];
  private readonly states = new Map<string, PullState>();
  private running = 0;
  private stopped = false;
  private counts = { pulls: 0, failures: 0, posts: 0 };
  private readonly linger: YieldLinger;

  constructor(options: HistoryPullerOptions) {
    this.opts = { timeoutMs: 10_000, repullMs: 15_000, retryMs: 1_000, maxRetryMs: 30_000, maxConcurrent: 4, reannounce: () => undefined, yieldLingerMs: 5_000, ...options };
    this.linger = new YieldLinger(this.opts.peerId, this.opts.scheduler, this.opts.reannounce, this.opts.yieldLingerMs);
  }

  /** The host reducer's public channel list (its `channels` effect) → the list to announce (plus the ones lingering). */
  announce(channels: readonly string[]): readonly string[] {
    // Called on every channel opened or closed: no copy here, which would cost O(channels) each time on a host no peer contests.
    this.announcedList = channels;
    this.announced = undefined;
    this.evaluate();
    return this.linger.announce(channels);
  }

  /** Discovery's peer table: feed it before the host reducer's, so a yield sees the same table. */
  setPeers(peers: readonly DiscoveredPeer[]): void {
    this.peers = peers;
    this.linger.setPeers(peers);
    this.evaluate();
  }

  /** Counters so far. */
  stats(): PullStats {
    return { ...this.counts };
  }

  /** Cancels the timers; pulls in flight finish without merging. */
  stop(): void {
    this.stopped = true;
    this.linger.stop();
    for (const s of this.states.values()) s.timer?.unsubscribe();
    this.states.clear();
  }

  /** The pairs to pull now: larger IDs, not disconnected, hosting, announcing a channel we announce (and no smaller ID does). */
  private wanted(): Map<string, { peer: DiscoveredPeer; server: { address: string; port: number }; channel: string }> {
    const out = new Map<string, { peer: DiscoveredPeer; server: { address: string; port: number }; channel: string }>();
    if (this.announcedList.length === 0) return out;
    const hosts = this.peers.filter((p) => p.server !== undefined && p.state !== 'disconnected');
    if (hosts.length === 0) return out;
    const announced = (this.announced ??= new Set(this.announcedList.filter(isPublicChannel)));
    // We yield what a smaller ID announces (the reducer will, on this same table): that one pulls.
    const yielded = new Set(hosts.filter((p) => compareIds(p.id, this.opts.peerId) < 0).flatMap((p) => p.channels));
    for (const peer of hosts) {
      const server = peer.server;
      if (server === undefined || compareIds(peer.id, this.opts.peerId) <= 0) continue;
      for (const channel of peer.channels) if (announced.has(channel) && !yielded.has(channel)) out.set(`${peer.id}\0${channel}`, { peer, server, channel });
    }
    return out;
  }

  private evaluate(): void {
    if (this.stopped) return;
    const wanted = this.wanted();
    for (const [key, s] of this.states) {
      if (wanted.has(key) || s.phase === 'running') continue;
      s.timer?.unsubscribe();
      this.states.delete(key);
    }
    for (const [key, w] of wanted) {
      let s = this.states.get(key);
      if (s === undefined) {
        s = { phase: 'due', failures: 0, timer: undefined };
        this.states.set(key, s);
      }
      if (s.phase !== 'due' || this.running >= this.opts.maxConcurrent) continue;
      this.start(key, s, w.peer.id, w.server, w.channel);
    }
  }

  private start(key: string, s: PullState, peerId: string, server: { address: string; port: number }, channel: string): void {
    s.phase = 'running';
    this.running++;
    const started = this.opts.scheduler.now();
    // Dialled expecting the peer ID discovery names for that endpoint (secure mode proves it).
    const target = { peerId, address: server.address, port: server.port, channel };
    const { transport, scheduler, historyLimit, maxFrameBytes, timeoutMs } = this.opts;
    const ids = { clientId: pullClientId(this.opts.peerId), provenClientId: this.opts.peerId };
    void pullHistory(target, { transport, scheduler, ...ids, historyLimit, maxFrameBytes, timeoutMs }).then((r) => {
      this.running--;
      if (this.stopped) return;
      const ms = this.opts.scheduler.now() - started;
      let delay: number;
      if (r.ok) {
        this.counts.pulls++;
        this.counts.posts += r.posts.length;
        s.failures = 0;
        delay = this.opts.repullMs;
        this.opts.logger.info('host.history_pulled', { peer: peerId, address: server.address, channel, posts: r.posts.length, sent: r.total, timed: r.posts.filter((p) => p.at !== undefined).length, ms });
        this.opts.merge(channel, r.posts);
      } else {
        this.counts.failures++;
        s.failures++;
        delay = Math.min(this.opts.maxRetryMs, this.opts.retryMs * 2 ** (s.failures - 1));
        // `address` names the offender when a forged PDU sent us there (the offender log keys on it).
        this.opts.logger.warn('host.history_pull_failed', { peer: peerId, address: server.address, channel, code: r.code, reason: r.reason, failures: s.failures, retryInMs: delay, ms });
      }
      if (this.states.get(key) === s) {
        s.phase = 'waiting';
        s.timer = this.opts.scheduler.schedule(() => {
          s.timer = undefined;
          s.phase = 'due';
          this.evaluate();
        }, delay);
      }
      this.evaluate();
    });
  }
}
