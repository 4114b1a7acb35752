/**
 * The options of `discover()`: their defaults and checks. In secure mode (docs/protocol.md §3.4)
 * the peer ID is the identity's, and a PDU gets the datagram limit less the seal's overhead.
 */
import { randomUUID } from 'node:crypto';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { ServerMembership } from '@ims/codec';
import { DEFAULT_MAX_DATAGRAM_BYTES, isValidPeerId } from '@ims/codec';
import type { SecureMode } from '@ims/secure';
import { DiscoveryError } from './errors.js';
import type { OwnServer } from './own-state.js';
import { validateIds, validateNick, validateServer } from './own-validation.js';
import type { PeerTableOptions } from './peer-table.js';
import type { DiscoveryLog } from './stats.js';

/** Options of `discover()`; every limit has a documented default. */
export interface DiscoverOptions extends Omit<PeerTableOptions, 'selfId'> {
  /** The local peer ID (visible ASCII); in secure mode it must be the identity's, if given. @default a random UUID; in secure mode `secure.identity.peerId` */
  readonly peerId?: string;
  /**
   * Secure mode (docs/protocol.md §3.4): every PeerPDU sent is sealed, within `maxDatagramBytes`
   * with the seal (a PDU gets `maxDatagramBytes - secure.sealer.overhead`); every datagram received
   * is opened before it is decoded, and its PDU must name its signer. Sealed datagrams are ignored
   * (`secureIgnored`) without it. @default plain mode
   */
  readonly secure?: SecureMode;
  /** Scheduler for every timer; `TestScheduler` gives virtual time. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** Announcements per second at most, whatever the burst of changes. @default 10 */
  readonly maxAnnouncementsPerSecond?: number;
  /**
   * Datagrams per source address per second from peers not established there (new IDs, forged
   * ones, garbage); the rest are dropped and counted. An established peer's PDUs are charged to its
   * own `maxPdusPerSecondPerPeer` instead (docs/protocol.md §3.4). @default 200
   */
  readonly maxPdusPerSecondPerSource?: number;
  /** One log line per source address and cause (rate limits, address conflicts, bad datagrams) at most once per this many ms. @default 10000 */
  readonly offenderLogIntervalMs?: number;
  /** Largest datagram sent or accepted (docs/protocol.md §3); longer lists are split. @default 1400 */
  readonly maxDatagramBytes?: number;
  /** Announcements after the first that repeat an invitation, for UDP loss. @default 2 */
  readonly inviteRepeats?: number;
  /** Period of the liveness check, in ms; how late it runs is our measured lag. @default min(intervalMs / 4, 250) */
  readonly checkEveryMs?: number;
  /** Lobby snapshots are built at most once per this many ms (events$ is never delayed). @default 100 */
  readonly lobbyThrottleMs?: number;
  /** Initial nick (the peer is a client). @default none */
  readonly nick?: string;
  /**
   * A dedicated server's human name (no `nick`): announced as CLIENT_NICK while it hosts, never with
   * CLIENT_MEMBERSHIP, so ims peers read it as a server's name, not a client (docs/protocol.md §3.7).
   * @default none
   */
  readonly serverName?: string;
  /** Initial memberships. @default [] */
  readonly memberships?: readonly ServerMembership[];
  /** Initial hosted server. @default none */
  readonly server?: OwnServer;
  /** Receives debug/info/warn entries about dropped input (info: sealed datagrams a plain peer ignores). @default no logging */
  readonly log?: DiscoveryLog;
}

/** The options of `discover()` with every default filled in and checked. */
export interface Resolved {
  readonly peerId: string;
  readonly scheduler: SchedulerLike;
  readonly maxDatagramBytes: number;
  /** Bytes a PDU may take: the datagram limit, less the seal's overhead in secure mode. */
  readonly maxPduBytes: number;
  readonly maxPerSecond: number;
  readonly inviteSends: number;
  readonly checkEveryMs: number;
  readonly lobbyThrottleMs: number;
  readonly maxPdusPerSecondPerSource: number;
  readonly offenderLogIntervalMs: number;
}

/** The local peer ID: the option, else the secure identity's, else a random UUID; throws DiscoveryError('INVALID_OPTION'). */
export function resolvePeerId(options: DiscoverOptions): string {
  const identity = options.secure?.identity.peerId;
  const peerId = options.peerId ?? identity ?? randomUUID();
  if (!isValidPeerId(peerId)) throw new DiscoveryError('INVALID_OPTION', 'peerId must be visible ASCII');
  // Receivers take a sealed PDU only from the peer ID its key is in.
  if (identity !== undefined && peerId !== identity) throw new DiscoveryError('INVALID_OPTION', `in secure mode the peer ID is the identity's (${identity}), not ${peerId}`);
  return peerId;
}

/** Defaults and checks of `DiscoverOptions`; throws DiscoveryError('INVALID_OPTION'). */
export function resolveOptions(options: DiscoverOptions, intervalMs: number, peerId: string): Resolved {
  const maxDatagramBytes = options.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES;
  const r: Resolved = {
    peerId,
    scheduler: options.scheduler ?? asyncScheduler,
    maxDatagramBytes,
    maxPduBytes: maxDatagramBytes - (options.secure?.sealer.overhead ?? 0),
    maxPerSecond: options.maxAnnouncementsPerSecond ?? 10,
    inviteSends: 1 + (options.inviteRepeats ?? 2),
    checkEveryMs: options.checkEveryMs ?? Math.min(intervalMs / 4, 250),
    lobbyThrottleMs: options.lobbyThrottleMs ?? 100,
    maxPdusPerSecondPerSource: options.maxPdusPerSecondPerSource ?? 200,
    offenderLogIntervalMs: options.offenderLogIntervalMs ?? 10_000,
  };
  if (!(r.maxPerSecond > 0) || !(r.checkEveryMs > 0) || !(r.maxPduBytes > 0) || !(r.lobbyThrottleMs >= 0) || !(r.offenderLogIntervalMs >= 0)) {
    throw new DiscoveryError('INVALID_OPTION', 'maxAnnouncementsPerSecond, checkEveryMs, maxDatagramBytes (beyond the seal in secure mode), lobbyThrottleMs and offenderLogIntervalMs must be positive');
  }
  if (!Number.isInteger(r.maxPdusPerSecondPerSource) || r.maxPdusPerSecondPerSource < 1) {
    throw new DiscoveryError('INVALID_OPTION', `maxPdusPerSecondPerSource must be a positive integer, got ${r.maxPdusPerSecondPerSource}`);
  }
  validateNick(peerId, options.nick, r.maxPduBytes);
  validateNick(peerId, options.serverName, r.maxPduBytes);
  validateIds((options.memberships ?? []).map((m) => m.serverId), 'serverId');
  validateServer(options.server);
  return r;
}

