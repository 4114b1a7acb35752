/**
 * IRC-style join, part, quit and nick-change notices (issue 14), read from what discovery already
 * carries: a client announces its CLIENT_MEMBERSHIP right after each JOIN and EXIT (docs/protocol.md
 * §2.7), and an ims peer whose host stops announces once more without SERVER_OPTION (§3.7). So:
 *
 * - a public channel appearing in a client's memberships is a join, disappearing a part;
 * - a part followed within {@link QUIT_GRACE_MS} by the withdrawal of the peer's SERVER_OPTION (or
 *   the same PDU) is a clean quit: a peer-client that quits leaves every channel (EXIT), then stops
 *   its host;
 * - a member that goes `disconnected` while still listed quit without a word (crash, cable);
 * - CLIENT_NICK changing on a member is a nick change.
 *
 * Private channels are never announced (§3.5), so they get no notices. Timers run on an injected
 * scheduler, so unit tests drive them in virtual time.
 */
import type { PeerEvent } from '@ims/discovery';
import type { SchedulerLike, Subscription } from 'rxjs';

/** One notice; `ts` is the wall clock (ms since the epoch) when it was decided. */
export type Notice =
  | { readonly kind: 'join' | 'part'; readonly ts: number; readonly channel: string; readonly peer: string }
  /** `clean`: announced its stop (a /quit); else it went silent while a member. */
  | { readonly kind: 'quit'; readonly ts: number; readonly channels: readonly string[]; readonly peer: string; readonly clean: boolean }
  | { readonly kind: 'nick'; readonly ts: number; readonly peer: string; readonly previous: string; readonly nick: string }
  /** The peer withdrew its SERVER_OPTION: its host stopped cleanly (used to word a failover). */
  | { readonly kind: 'stopped'; readonly ts: number; readonly peer: string };

/** ms after a part during which the withdrawal of the peer's host makes it a quit. */
export const QUIT_GRACE_MS = 1_500;

/** What {@link NoticeTracker} needs. */
export interface NoticeTrackerDeps {
  /** Whether this peer is in `channel` (joined, so notices about it are wanted). */
  readonly watching: (channel: string) => boolean;
  /** Receives each notice. */
  readonly emit: (n: Notice) => void;
  /** Wall clock of the notices' `ts`. */
  readonly clock: () => number;
  /** Timers of the quit grace. */
  readonly scheduler: SchedulerLike;
}

interface PendingPart {
  readonly channels: string[];
  readonly timer: Subscription;
}

/** Turns discovery's peer events into notices; feed it every event with {@link NoticeTracker.handle}. */
export class NoticeTracker {
  /** Public channels each peer announces itself a member of (on any server: a failover keeps them). */
  private readonly channelsOf = new Map<string, ReadonlySet<string>>();
  private readonly withdrawnAt = new Map<string, number>();
  private readonly pending = new Map<string, PendingPart>();

  constructor(private readonly deps: NoticeTrackerDeps) {}

  /** Feeds one discovery event. */
  handle(e: PeerEvent): void {
    switch (e.kind) {
      case 'appeared':
        // Already a member when first heard: no join notice (we may simply have started later).
        this.channelsOf.set(e.peer.id, channelSet(e.peer.memberships));
        return;
      case 'membershipsChanged':
        this.onMemberships(e.peerId, channelSet(e.memberships));
        return;
      case 'serverChanged':
        if (e.server !== undefined) return;
        this.withdrawnAt.set(e.peerId, this.deps.scheduler.now());
        this.deps.emit({ kind: 'stopped', ts: this.deps.clock(), peer: e.peerId });
        this.flushPart(e.peerId, true);
        return;
      case 'disconnected':
      case 'gone':
        this.onSilent(e.peerId);
        return;
      case 'nickChanged':
        if (e.previous !== undefined && e.nick !== undefined && this.isMember(e.peerId)) {
          this.deps.emit({ kind: 'nick', ts: this.deps.clock(), peer: e.peerId, previous: e.previous, nick: e.nick });
        }
        return;
      default:
        return;
    }
  }

  /** Drops the timers. */
  stop(): void {
    for (const p of this.pending.values()) p.timer.unsubscribe();
    this.pending.clear();
  }

  private isMember(peer: string): boolean {
    return [...(this.channelsOf.get(peer) ?? [])].some((c) => this.deps.watching(c)) || this.pending.has(peer);
  }

  private onMemberships(peer: string, now: ReadonlySet<string>): void {
    const before = this.channelsOf.get(peer) ?? new Set<string>();
    this.channelsOf.set(peer, now);
    const ts = this.deps.clock();
    for (const c of now) {
      if (before.has(c) || !this.deps.watching(c)) continue;
      // Back before the grace ended (a quick rejoin): neither part nor join.
      if (this.cancelPending(peer, c)) continue;
      this.deps.emit({ kind: 'join', ts, channel: c, peer });
    }
    const gone = [...before].filter((c) => !now.has(c) && this.deps.watching(c));
    if (gone.length === 0) return;
    const withdrawn = this.withdrawnAt.get(peer);
    if (withdrawn !== undefined && this.deps.scheduler.now() - withdrawn <= QUIT_GRACE_MS) {
      this.deps.emit({ kind: 'quit', ts, channels: gone, peer, clean: true });
      return;
    }
    const prev = this.pending.get(peer);
    prev?.timer.unsubscribe();
    const channels = [...(prev?.channels ?? []), ...gone];
    const timer = this.deps.scheduler.schedule(() => this.flushPart(peer, false), QUIT_GRACE_MS);
    this.pending.set(peer, { channels, timer });
  }

  private cancelPending(peer: string, channel: string): boolean {
    const p = this.pending.get(peer);
    const i = p?.channels.indexOf(channel) ?? -1;
    if (!p || i < 0) return false;
    p.channels.splice(i, 1);
    if (p.channels.length === 0) {
      p.timer.unsubscribe();
      this.pending.delete(peer);
    }
    return true;
  }

  /** Ends a pending part: as a clean quit (`quit`) or as the parts it was. */
  private flushPart(peer: string, quit: boolean): void {
    const p = this.pending.get(peer);
    if (!p) return;
    this.pending.delete(peer);
    p.timer.unsubscribe();
    const ts = this.deps.clock();
    if (quit) this.deps.emit({ kind: 'quit', ts, channels: p.channels, peer, clean: true });
    else for (const channel of p.channels) this.deps.emit({ kind: 'part', ts, channel, peer });
  }

  private onSilent(peer: string): void {
    this.flushPart(peer, false);
    const channels = [...(this.channelsOf.get(peer) ?? [])].filter((c) => this.deps.watching(c));
    this.channelsOf.delete(peer);
    this.withdrawnAt.delete(peer);
    if (channels.length > 0) this.deps.emit({ kind: 'quit', ts: this.deps.clock(), channels, peer, clean: false });
  }
}

function channelSet(memberships: readonly { readonly channels: readonly string[] }[]): ReadonlySet<string> {
  return new Set(memberships.flatMap((m) => m.channels));
}

/** Renders a notice for a person; `name` gives a peer's nick. `undefined` for the internal `stopped`. */
export function formatNotice(n: Notice, name: (id: string) => string, time: string): string | undefined {
  switch (n.kind) {
    case 'join':
      return `[${time}] -> ${name(n.peer)} joined ${n.channel}`;
    case 'part':
      return `[${time}] <- ${name(n.peer)} left ${n.channel}`;
    case 'quit':
      return n.clean
        ? `[${time}] <- ${name(n.peer)} quit (${n.channels.join(' ')})`
        : `[${time}] <- ${name(n.peer)} is gone: no announcement for three intervals (${n.channels.join(' ')})`;
    case 'nick':
      return `[${time}] -- ${n.previous} is now known as ${n.nick}`;
    case 'stopped':
      return undefined;
  }
}
