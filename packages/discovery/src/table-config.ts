/**
 * Options of the peer table and their checks. The liveness knobs follow docs/protocol.md §4: every
 * count is in intervals of *the peer's own* learned interval, and our own `intervalMs` is only the
 * starting assumption for a peer not learned yet.
 */
import { DEFAULT_ANNOUNCE_INTERVAL_MS, DISCONNECT_AFTER_INTERVALS } from '@ims/codec';
import { DiscoveryError } from './errors.js';

/** Options of a peer table; every limit has a default. */
export interface PeerTableOptions {
  /** The local peer ID: invitations naming it are kept. */
  readonly selfId: string;
  /** Our own announce interval in ms (docs/protocol.md §3), and the interval assumed for a peer not learned yet. @default 2000 */
  readonly intervalMs?: number;
  /** Lateness tolerated on top of each threshold, in ms, for every peer. @default min(its interval / 2, 250), per peer */
  readonly graceMs?: number;
  /** Missed intervals of the peer in all before `disconnected` (docs/protocol.md §4). @default 3 */
  readonly disconnectAfterIntervals?: number;
  /** Missed intervals of the peer in all before it is dropped from the table. @default disconnectAfterIntervals + 1 */
  readonly dropAfterIntervals?: number;
  /** Regular gaps kept per peer to learn its interval (median and deviation of this window). @default 16 */
  readonly intervalWindow?: number;
  /** Gaps learned before a peer's own interval replaces the assumed one. @default 3 */
  readonly minIntervalSamples?: number;
  /** Phi-accrual threshold: a PDU is late when it is this unlikely, 10^-phi, given the peer's jitter. @default 8 */
  readonly phiThreshold?: number;
  /** A peer not learned yet is never `disconnected` before this much silence (+ grace): it may announce this slowly (the draft authors' server: 15 s). @default 15000 */
  readonly assumedMaxIntervalMs?: number;
  /** Half-life of the measured local lag (our own late timers) that widens every threshold. @default min(5000, 10 × intervalMs) */
  readonly lagHalfLifeMs?: number;
  /** Ceiling of the local health multiplier, max(1, lag / intervalMs), applied to every threshold. @default 8 */
  readonly maxHealthMultiplier?: number;
  /** Intervals of the peer a hosted channel stays listed without being announced (docs/protocol.md §3). @default 3 */
  readonly channelTtlIntervals?: number;
  /** Peers tracked at most; a new peer beyond it evicts the longest-silent one. @default 10000 */
  readonly maxPeers?: number;
  /** Channels listed per server at most; further announced channels are ignored. @default 4096 */
  readonly maxChannelsPerPeer?: number;
  /** Invitations kept at most; the oldest goes first. @default 256 */
  readonly maxInvitations?: number;
  /** How long an invitation stays listed after it was last received, in ms. @default 30 × intervalMs */
  readonly invitationTtlMs?: number;
  /**
   * PDUs of one established peer read per second (docs/protocol.md §3.4); beyond, its datagrams
   * only keep it alive. At least the pieces of its largest announcement, which leave back to back
   * (4,096 channels of 200 bytes: about 690 datagrams). @default 1000
   */
  readonly maxPdusPerSecondPerPeer?: number;
}

/** Resolved table options: every default filled in; `graceMs` stays undefined when it is per peer. */
export type PeerTableConfig = Required<Omit<PeerTableOptions, 'graceMs'>> & {
  readonly graceMs: number | undefined;
  /** Standard deviations of jitter tolerated, from `phiThreshold`. */
  readonly jitterDeviations: number;
};

const positive = (name: string, value: number): number => {
  if (!Number.isFinite(value) || value <= 0) throw new DiscoveryError('INVALID_OPTION', `${name} must be a positive number, got ${value}`);
  return value;
};

const wholeIn = (name: string, value: number, min: number, max: number): number => {
  if (!Number.isInteger(value) || value < min || value > max) throw new DiscoveryError('INVALID_OPTION', `${name} must be an integer in ${min}–${max}, got ${value}`);
  return value;
};

/**
 * Standard deviations above the mean where the logistic approximation of the normal tail used by
 * phi-accrual detectors, 1 / (1 + e^(y(1.5976 + 0.070566 y²))), falls to 10^-phi (bisection).
 */
export function deviationsForPhi(phi: number): number {
  const target = Math.log(10 ** phi - 1);
  let lo = 0;
  let hi = 50;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (mid * (1.5976 + 0.070566 * mid * mid) < target) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Fill in and validate the liveness options (docs/protocol.md §4). */
function resolveLiveness(options: PeerTableOptions, intervalMs: number) {
  const disconnectAfterIntervals = positive('disconnectAfterIntervals', options.disconnectAfterIntervals ?? DISCONNECT_AFTER_INTERVALS);
  const dropAfterIntervals = positive('dropAfterIntervals', options.dropAfterIntervals ?? disconnectAfterIntervals + 1);
  if (dropAfterIntervals < disconnectAfterIntervals) {
    throw new DiscoveryError('INVALID_OPTION', 'dropAfterIntervals must be at least disconnectAfterIntervals');
  }
  const graceMs = options.graceMs;
  if (graceMs !== undefined && !(graceMs >= 0 && Number.isFinite(graceMs))) throw new DiscoveryError('INVALID_OPTION', `graceMs must be >= 0, got ${graceMs}`);
  const intervalWindow = wholeIn('intervalWindow', options.intervalWindow ?? 16, 1, 1024);
  const minIntervalSamples = wholeIn('minIntervalSamples', options.minIntervalSamples ?? 3, 1, intervalWindow);
  const phiThreshold = positive('phiThreshold', options.phiThreshold ?? 8);
  if (phiThreshold > 300) throw new DiscoveryError('INVALID_OPTION', `phiThreshold must be at most 300, got ${phiThreshold}`);
  const maxHealthMultiplier = positive('maxHealthMultiplier', options.maxHealthMultiplier ?? 8);
  if (maxHealthMultiplier < 1) throw new DiscoveryError('INVALID_OPTION', `maxHealthMultiplier must be at least 1, got ${maxHealthMultiplier}`);
  return {
    intervalMs,
    graceMs,
    disconnectAfterIntervals,
    dropAfterIntervals,
    intervalWindow,
    minIntervalSamples,
    phiThreshold,
    jitterDeviations: deviationsForPhi(phiThreshold),
    assumedMaxIntervalMs: positive('assumedMaxIntervalMs', options.assumedMaxIntervalMs ?? 15_000),
    lagHalfLifeMs: positive('lagHalfLifeMs', options.lagHalfLifeMs ?? Math.min(5_000, 10 * intervalMs)),
    maxHealthMultiplier,
  };
}

/** Fill in and validate table options; throws DiscoveryError('INVALID_OPTION'). */
export function resolveTableConfig(options: PeerTableOptions): PeerTableConfig {
  const intervalMs = positive('intervalMs', options.intervalMs ?? DEFAULT_ANNOUNCE_INTERVAL_MS);
  return {
    selfId: options.selfId,
    ...resolveLiveness(options, intervalMs),
    channelTtlIntervals: positive('channelTtlIntervals', options.channelTtlIntervals ?? DISCONNECT_AFTER_INTERVALS),
    maxPeers: positive('maxPeers', options.maxPeers ?? 10_000),
    maxChannelsPerPeer: positive('maxChannelsPerPeer', options.maxChannelsPerPeer ?? 4_096),
    maxInvitations: positive('maxInvitations', options.maxInvitations ?? 256),
    invitationTtlMs: positive('invitationTtlMs', options.invitationTtlMs ?? 30 * intervalMs),
    maxPdusPerSecondPerPeer: wholeIn('maxPdusPerSecondPerPeer', options.maxPdusPerSecondPerPeer ?? 1_000, 1, 1_000_000),
  };
}
