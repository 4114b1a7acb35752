/**
 * When a peer is `maybeDisconnected`, `disconnected` or dropped (docs/protocol.md §4): thresholds on
 * its silence from *its own* learned interval and jitter (arrival-window.ts), widened by our local
 * health multiplier (local-health.ts). Pure arithmetic, O(1) per peer and check.
 */
import type { ArrivalWindow } from './arrival-window.js';
import type { Liveness } from './peer-events.js';
import type { PeerTableConfig } from './table-config.js';

/** A peer is never taken to announce faster than this share of our own interval (arrival-window.ts). */
export const MIN_INTERVAL_SHARE = 0.5;
/** Share of our interval within which its first gaps make a peer "configured like us". */
const LIKE_US_BAND = 0.1;

/** Silence between two PDUs, in our intervals, that a peer announcing like us never exceeds before it is learned. */
const LIKE_US_SILENCE = 1.25;
/**
 * Plus this much, ms: room for the jitter of its timer on a busy box, which at a short interval
 * (netsim's 150 ms) is more than a quarter of it, and no room for a slow announcer's silence.
 */
const LIKE_US_SILENCE_SLACK_MS = 50;
/** Time since first heard, in our intervals, over which those PDUs must spread (a burst of pieces or changes is no rate). */
const LIKE_US_SPAN = 0.75;

/**
 * A peer configured like us: its first regular gaps match our interval, or the PDUs we handled on
 * time spread over at least 3/4 of our interval without one silence much longer than our interval
 * (a step we mostly stalled through, or measured from a PDU that waited through our stall, is no
 * evidence either way: a start-up hiccup of ours neither makes a slow peer look fast nor blinds us
 * to a fast one). Either way it is no slow announcer, so it is judged at once (a host frozen or
 * starved right after we joined it, before start-up stalls let its gaps be learned).
 * A peer that sent a PDU ims never sends (cut short, an empty peer ID) is another implementation
 * (docs/protocol.md §7.6: the Java server announces every 15 s and at once on a change): never "like us".
 */
const announcesLikeUs = (config: PeerTableConfig, w: ArrivalWindow): boolean =>
  !w.foreign &&
  ((w.count >= 1 &&
    w.largest <= (1 + LIKE_US_BAND) * config.intervalMs &&
    w.smallest >= (1 - LIKE_US_BAND) * config.intervalMs &&
    w.anchor - w.first <= (1 + LIKE_US_BAND) * w.count * config.intervalMs) ||
    (w.spread >= LIKE_US_SPAN * config.intervalMs && w.longestSilence <= LIKE_US_SILENCE * config.intervalMs + LIKE_US_SILENCE_SLACK_MS));

/** Grace ceiling when `graceMs` is not set: the target is detection within 3 intervals + 1 s. */
export const DEFAULT_GRACE_CEILING_MS = 250;

/** Silence thresholds of one peer, in ms, before the health multiplier. */
export interface PeerThresholds {
  /** The interval used: learned (median of its gaps) or, before enough gaps, the assumed one. */
  readonly intervalMs: number;
  readonly graceMs: number;
  readonly suspectMs: number;
  readonly disconnectMs: number;
  readonly dropMs: number;
  /** How long a hosted channel stays listed unannounced (`channelTtlIntervals`, docs/protocol.md §3.7). */
  readonly channelTtlMs: number;
}

/** Whether the peer's own interval is learned (enough regular gaps). */
export const isLearned = (config: PeerTableConfig, w: ArrivalWindow): boolean => w.count >= config.minIntervalSamples;

/**
 * Silence after which `intervals` of the peer's PDUs in a row are missing: n·I plus the larger of
 * the grace and the phi-accrual jitter allowance z·σ, capped at one interval so that a noisy peer is
 * still detected within one interval more. A peer's timer is periodic (its ticks do not drift with
 * each arrival's jitter), so the n-th next PDU spreads around n·I as much as the next one does:
 * no √n.
 */
function after(intervals: number, interval: number, deviation: number, grace: number, z: number): number {
  const jitter = Math.min(z * deviation, interval);
  return intervals * interval + Math.max(grace, jitter);
}

/** The thresholds of a peer from what its PDUs taught (docs/protocol.md §4). */
export function thresholdsOf(config: PeerTableConfig, w: ArrivalWindow): PeerThresholds {
  const learned = isLearned(config, w);
  // Before enough gaps: the larger of ours and the longest gap seen, no jitter learned yet. After:
  // the median, but not under half ours: a long stream of change-triggered announcements would
  // teach a rate its periodic timer does not keep, and the silence after it would be a false alarm.
  const intervalMs = learned ? Math.max(w.median, MIN_INTERVAL_SHARE * config.intervalMs) : Math.max(config.intervalMs, w.largest);
  const deviation = learned ? w.deviation : 0;
  const graceMs = config.graceMs ?? Math.min(intervalMs / 2, DEFAULT_GRACE_CEILING_MS);
  const z = config.jitterDeviations;
  const suspectMs = after(1, intervalMs, deviation, graceMs, z);
  let disconnectMs = after(config.disconnectAfterIntervals, intervalMs, deviation, graceMs, z);
  let dropMs = after(config.dropAfterIntervals, intervalMs, deviation, graceMs, z);
  let channelTtlMs = config.channelTtlIntervals * intervalMs + graceMs;
  // Until learned, a peer is never given up (nor its channels) before a slow announcer's second
  // regular PDU could have come: its first gaps may be change-triggered extras (draft peers announce
  // on change too). Unless its gaps so far (one at least) match our own interval within 10 % and
  // account for all the time since we first heard it: a peer configured like us (an ims host that
  // freezes just after we joined it) is judged at once.
  if (!learned && !announcesLikeUs(config, w)) {
    const floor = config.assumedMaxIntervalMs + (config.graceMs ?? Math.min(config.assumedMaxIntervalMs / 2, DEFAULT_GRACE_CEILING_MS));
    disconnectMs = Math.max(disconnectMs, floor);
    dropMs = Math.max(dropMs, disconnectMs + (config.dropAfterIntervals - config.disconnectAfterIntervals) * intervalMs);
    channelTtlMs = Math.max(channelTtlMs, floor);
  }
  // A server may list its channels less often than it announces (docs/protocol.md §3.7, §7.6): they
  // are kept for 3 of its gaps between two lists, and before its second list for 3 slow intervals.
  if (Number.isFinite(w.channelsLatest)) {
    const listEvery = w.channelsGap > 0 ? w.channelsGap : config.assumedMaxIntervalMs;
    channelTtlMs = Math.max(channelTtlMs, config.channelTtlIntervals * listEvery + graceMs);
  }
  return { intervalMs, graceMs, suspectMs, disconnectMs, dropMs, channelTtlMs };
}

/** Liveness after `silenceMs` without a PDU (our stalls already taken out); `undefined` means: drop it. */
export function livenessAfter(t: PeerThresholds, silenceMs: number, multiplier = 1): Liveness | undefined {
  if (silenceMs > t.dropMs * multiplier) return undefined;
  if (silenceMs > t.disconnectMs * multiplier) return 'disconnected';
  if (silenceMs > t.suspectMs * multiplier) return 'maybeDisconnected';
  return 'alive';
}
