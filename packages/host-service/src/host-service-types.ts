/** The host service's public shapes: options, stats and the running handle. */
import type { HostSnapshot, Post } from '@ims/channel-core';
import type { SchedulerLike } from 'rxjs';
import type { Logger } from '@ims/app-kit';
import type { Transport } from '@ims/transport';
import type { HistogramSnapshot } from './histogram.js';
import type { HistoryStore } from './history-store.js';
import type { HostDiscovery } from './host-discovery.js';
import type { HostLimits } from './host-limits.js';
import type { PullStats } from './history-puller.js';
import type { StoreStats } from './store-health.js';

/** Options of {@link startHostService}. */
export interface HostServiceOptions {
  /** This peer's ID (the host's identity in STANDBY). */
  readonly peerId: string;
  /** Discovery port: peer snapshots in, SERVER_OPTION/SERVER_CHANNELS/SERVER_INVITE out. @default none (tests) */
  readonly discovery?: HostDiscovery;
  /** Where to listen. @default { address: '127.0.0.1', port: 0 } (0 = random free port in 49152–65535) */
  readonly listen?: { readonly address?: string; readonly port?: number };
  /** History, and the admission lists of private channels, persisted across restarts; loaded at start. @default none */
  readonly store?: HistoryStore;
  /** Abuse and size limits. @default DEFAULT_HOST_LIMITS */
  readonly limits?: HostLimits;
  /** Structured logger. @default silent */
  readonly logger?: Logger;
  /** Clock of the host reducer and flood control. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** The network to listen on: tests pass `memoryTransport({ scheduler })` and the same scheduler. @default tcpTransport */
  readonly transport?: Transport;
}

/** Counters for /metrics. */
export interface HostStats {
  readonly connections: number;
  readonly channels: number;
  readonly members: number;
  /** Frames decoded from clients (good and bad). */
  readonly framesIn: number;
  /** Frames queued to clients (a broadcast counts once per recipient). */
  readonly framesOut: number;
  /** Counts by code: codec errors, FLOOD, SLOW_READER, IDLE_TIMEOUT, SOCKET_ERROR, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP, the reducer's refusals (e.g. TOO_MANY_INVITEES, INVITE_RATE), IDENTITY_MISMATCH (secure mode: a JOIN naming another ID than its connection proves) and INVITE_UNKNOWN_IDS (INVITEs with IDs discovery does not know). */
  readonly errors: Readonly<Record<string, number>>;
  /** Time from a SAY's decode until its fan-out was handed to every member's socket (end-of-turn flush). */
  readonly fanoutLatency: HistogramSnapshot;
  /** History store health: writable, posts committed and refused, failed commits (writable and zeros without a store). */
  readonly store: StoreStats;
  /** History pulls from larger peer IDs after a split (docs/protocol.md §5.8): zeros without discovery. */
  readonly historyPulls: PullStats;
}

/** A running host service. */
export interface HostService {
  /** Where it listens (announce this port in SERVER_OPTION). */
  readonly endpoint: { readonly address: string; readonly port: number };
  /** Counters and gauges for metrics. */
  stats(): HostStats;
  /** The host reducer's state (channels, members, standby). */
  snapshot(): HostSnapshot;
  /**
   * History this peer holds for a channel (e.g. received as a member): used if a JOIN creates it
   * here (takeover); with `admitted`, the private channel's admission list its host sent this peer
   * as standby or successor (docs/protocol.md §2.8), added to what this host admits (§8).
   */
  archive(channel: string, posts: readonly Post[], admitted?: Iterable<string>): void;
  /** Graceful stop: stop accepting, close member connections (they fail over at once), flush the store. The store stays open. */
  stop(): Promise<void>;
}

