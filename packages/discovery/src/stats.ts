/**
 * Counters and log entries of a discovery service: bad network input is counted and dropped,
 * never thrown (CONTRIBUTING.md §4).
 */
import type { Address } from './datagram-port.js';

/** Counters of one discovery service since it started. */
export interface DiscoveryStats {
  /** Datagrams received from the port, own ones included. */
  readonly received: number;
  /** PDUs applied to the peer table. */
  readonly accepted: number;
  /** Own PDUs seen again through multicast loopback (ignored). */
  readonly own: number;
  /** Datagrams over `maxDatagramBytes` (dropped before decoding). */
  readonly oversize: number;
  /** Datagrams of peers not established at their address over `maxPdusPerSecondPerSource` (dropped before decoding). */
  readonly rateLimited: number;
  /** Datagrams of an established peer over `maxPdusPerSecondPerPeer`: they kept it alive, their content was not read. */
  readonly peerRateLimited: number;
  /** PDUs refused because they named a peer not `disconnected` from another address than the one it was first heard from. */
  readonly addressConflicts: number;
  /** Datagrams the codec rejected (dropped). */
  readonly malformed: number;
  /** Secure mode: datagrams that did not open (not sealed, sealed under no key we accept, or forged), dropped before decoding. */
  readonly unauthenticated: number;
  /** Secure mode: sealed datagrams seen before or too old for the replay window (replayed or stale), dropped. */
  readonly replayed: number;
  /** Secure mode: sealed datagrams signed by a peer the policy refuses (not on the allow-list, or revoked), dropped. */
  readonly notAdmitted: number;
  /** Secure mode: sealed PDUs whose peer ID is not their signer's, dropped. */
  readonly identityMismatch: number;
  /** Plain mode: sealed datagrams of secure-mode peers, which this peer cannot read (dropped, never counted as malformed). */
  readonly secureIgnored: number;
  /** PDUs applied as cut short, so they only add: a codec warning (unknown option, bad entry skipped, damaged later option), or an empty peer ID taken as a server's (docs/protocol.md §7.6). */
  readonly warnings: number;
  /** Peers evicted to stay within `maxPeers`. */
  readonly evicted: number;
  /** New peers refused at `maxPeers` because even the longest-silent tracked peer is alive and heard more than once. */
  readonly peersRefused: number;
  /** Announced channel names ignored beyond `maxChannelsPerPeer`. */
  readonly channelsRefused: number;
  /** Private or invalid channel names a caller passed that were kept out of PDUs. */
  readonly channelsFiltered: number;
  /** Announcements made (each one or more datagrams). */
  readonly announcements: number;
  /** Datagrams sent. */
  readonly sentDatagrams: number;
  /** Announcements the codec could not encode (logged at warn; nothing sent). */
  readonly encodeErrors: number;
  /** Own entries (channel names, invited IDs) that fit in no datagram, left out of the announcement (docs/protocol.md §3.6): each counted once when it starts being left out. */
  readonly entriesLeftOut: number;
  /** Peers tracked now. */
  readonly peers: number;
  /** Recent local lag in ms: how late our own liveness checks ran (decaying peak; docs/protocol.md §4). */
  readonly lagMs: number;
  /** Largest single lag since start, in ms. */
  readonly maxLagMs: number;
  /** Total ms our checks ran late: taken out of every peer's silence. */
  readonly stalledMs: number;
  /** Local health multiplier on every liveness threshold: our lag in our own intervals, max(1, lagMs / intervalMs), capped by maxHealthMultiplier. */
  readonly healthMultiplier: number;
}

/** The counters discover() increments itself. */
export type MutableStats = {
  -readonly [K in Exclude<keyof DiscoveryStats, 'peers' | 'evicted' | 'peersRefused' | 'channelsRefused' | 'addressConflicts' | 'lagMs' | 'maxLagMs' | 'stalledMs' | 'healthMultiplier'>]: number;
};

/** Fresh counters. */
export function createStats(): MutableStats {
  return {
    received: 0,
    accepted: 0,
    own: 0,
    oversize: 0,
    rateLimited: 0,
    peerRateLimited: 0,
    malformed: 0,
    unauthenticated: 0,
    replayed: 0,
    notAdmitted: 0,
    identityMismatch: 0,
    secureIgnored: 0,
    warnings: 0,
    channelsFiltered: 0,
    announcements: 0,
    sentDatagrams: 0,
    encodeErrors: 0,
    entriesLeftOut: 0,
  };
}

/** One log entry: why something was dropped, with the source address and codec (or seal) error code. */
export interface DiscoveryLogEntry {
  readonly level: 'debug' | 'info' | 'warn';
  readonly event: string;
  readonly reason?: string;
  readonly from?: Address;
  readonly code?: string;
  /** The peer ID the offending datagram named, when it is known. */
  readonly peerId?: string;
  /** Offences of this source address and cause held back since its previous line (one line per offender per interval). */
  readonly suppressed?: number;
}

/** Where discovery writes its log entries. */
export type DiscoveryLog = (entry: DiscoveryLogEntry) => void;
