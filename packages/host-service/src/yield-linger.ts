/**
 * Partition heal, loser side (docs/protocol.md §5.8): a channel this host yields to a smaller peer
 * ID stays in its announcements for a few seconds more. The winner learns of this copy only from
 * an announcement that lists it, and the loser yields as soon as it hears the winner, which may
 * well be before the winner ever heard the loser: without the linger, half the heals would never
 * pull the loser's history. Members are not affected: they follow the smallest ID announcing.
 */
import { compareIds } from '@ims/codec';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { DiscoveredPeer } from './host-discovery.js';

/** Keeps yielded channels announced for `lingerMs`. */
export class YieldLinger {
  /** The host reducer's last list (live public channels it does not yield). */
  private own: readonly string[] = [];
  /** Yielded channels still announced, with the timer that drops each. */
  private readonly lingering = new Map<string, Subscription>();
  /** Public channels that smaller, not disconnected server IDs announce. */
  private smaller: ReadonlySet<string> = new Set();

  /**
   * @param reannounce announces a list again when a lingering channel is dropped
   * @param lingerMs how long a yielded channel stays announced (more than one announce interval)
   */
  constructor(
    private readonly peerId: string,
    private readonly scheduler: SchedulerLike,
    private readonly reannounce: (channels: readonly string[]) => void,
    private readonly lingerMs = 5_000,
  ) {}

  /** Discovery's peer table. */
  setPeers(peers: readonly DiscoveredPeer[]): void {
    const smaller = new Set<string>();
    for (const p of peers) {
      if (p.server === undefined || p.state === 'disconnected' || compareIds(p.id, this.peerId) >= 0) continue;
      for (const c of p.channels) smaller.add(c);
    }
    this.smaller = smaller;
  }

  /** The reducer's new list → the list to announce: plus the channels it just yielded, for a while. */
  announce(list: readonly string[]): readonly string[] {
    // Nothing can start or stop lingering (no smaller host announces a channel, none lingers):
    // skip the set, which would cost O(channels) on every channel opened or closed.
    if (this.smaller.size === 0 && this.lingering.size === 0) {
      this.own = list;
      return list;
    }
    const now = new Set(list);
    for (const c of this.own) {
      if (now.has(c) || !this.smaller.has(c) || this.lingering.has(c)) continue;
      const timer = this.scheduler.schedule(() => {
        this.lingering.delete(c);
        this.reannounce(this.current());
      }, this.lingerMs);
      this.lingering.set(c, timer);
    }
    for (const [c, timer] of this.lingering) {
      if (!now.has(c)) continue;
      // Reclaimed (the winner stopped announcing it): the reducer lists it again.
      timer.unsubscribe();
      this.lingering.delete(c);
    }
    this.own = list;
    return this.current();
  }

  /** Cancels the timers. */
  stop(): void {
    for (const t of this.lingering.values()) t.unsubscribe();
    this.lingering.clear();
  }

  private current(): readonly string[] {
    return this.lingering.size === 0 ? this.own : [...this.own, ...this.lingering.keys()];
  }
}
