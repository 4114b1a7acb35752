/**
 * A peer's announce interval, learned from its own PDUs (docs/protocol.md §4), phi-accrual style
 * (Hayashibara et al. 2004): a bounded ring of its regular inter-arrival gaps, with their median and
 * a robust deviation (1.4826 × the median absolute deviation), so that one lost PDU, one outage or
 * one stall of ours does not move the estimate; gaps across one of our stalls are not learned.
 *
 * A peer's periodic timer is not reset by the announcements it makes at once after a change, so a
 * PDU arriving sooner than 3/4 of the learned interval after the last regular one is an extra (a
 * change or a split piece): it keeps the peer alive but is no interval, and the next gap is still
 * measured from the last regular PDU; when a late extra was taken as regular, the on-time PDU right
 * after it takes its place; and when the PDUs since the last regular one came evenly spaced, the
 * peer announces faster than learned and that spacing is the sample. A steady stream of changes
 * looks the same, which is why liveness.ts never uses less than half our own interval. Cost: O(1)
 * per extra, O(window) per regular gap.
 */

/** Gaps shorter than this share of the learned (or, before any, our own) interval are extras. */
export const EXTRA_GAP_SHARE = 0.75;
/** Band around the learned interval in which a PDU counts as on time, and steps count as even. */
const ON_TIME_BAND = 0.1;
/** PDUs closer than this share of the interval to the one before are split pieces of one announcement. */
const PIECE_SHARE = 0.05;
/** A gap during which we stalled for more than this share of it is not learned (nor the next one). */
const STALL_SHARE = 0.25;
/** Scale that makes the median absolute deviation estimate a normal standard deviation. */
const MAD_TO_DEVIATION = 1.4826;

/** The learning state of one peer: mutable, internal to the table, bounded by its window. */
export interface ArrivalWindow {
  /** Ring of regular gaps in ms; its length is the window. */
  readonly gaps: number[];
  /** Next ring slot to write. */
  next: number;
  /** Gaps held (at most the window). */
  count: number;
  /** Time of the first PDU heard. */
  readonly first: number;
  /** Time of the PDU that ended the last regular gap (or the first PDU). */
  anchor: number;
  /** Our stalled-time total at `anchor`: our own stalls are no part of the peer's gaps. */
  anchorStalled: number;
  /** The anchor before `anchor` (NaN before a gap). */
  previous: number;
  /** Time of its latest PDU. */
  latest: number;
  /** Our stalled-time total at `latest`. */
  latestStalled: number;
  /**
   * Evidence of its rate for liveness.ts's "like us", from the steps between two of its PDUs that
   * we handled on time: the longest such silence and their total. A step we largely stalled
   * through, or one measured from a PDU that waited through our stall, tells nothing about the
   * peer's rate (its PDUs came in a burst when we ran again) and counts for neither.
   */
  longestSilence: number;
  spread: number;
  /** Its latest PDU was handled after one of our stalls (it may have waited in our socket). */
  latestWaited: boolean;
  /** PDUs heard since first (split pieces not counted). */
  heard: number;
  /** PDUs since `anchor`, split pieces not counted, and the longest step between two of them. */
  steps: number;
  longestStep: number;
  /** The anchor is a PDU handled after one of our stalls (maybe held in our socket): the next gap is not learned. */
  afterStall: boolean;
  /** Time of its latest PDU with SERVER_CHANNELS (NaN before one), and the gap before it from the previous one (0 before two). */
  channelsLatest: number;
  channelsGap: number;
  /** One of its PDUs was not ims's own (cut short, an empty peer ID): another implementation, never taken as configured like us (liveness.ts). */
  foreign: boolean;
  /** Median of the held gaps; NaN before any. */
  median: number;
  /** Robust standard deviation of the held gaps; 0 before two. */
  deviation: number;
  /** Largest and smallest held gap; 0 before any. */
  largest: number;
  smallest: number;
}

/**
 * A PDU with SERVER_CHANNELS arrived at `now`: how often a server lists its channels may be less
 * often than it announces (the Java server: one PDU of two, docs/protocol.md §7.6), and its channels
 * are forgotten after 3 of those gaps (liveness.ts). Pieces within `pieceMs` of the previous one are
 * one announcement.
 */
export function recordChannels(w: ArrivalWindow, now: number, pieceMs: number): void {
  if (now - w.channelsLatest <= pieceMs) return;
  if (Number.isFinite(w.channelsLatest)) w.channelsGap = now - w.channelsLatest;
  w.channelsLatest = now;
}

/** A fresh window for a peer first heard at `now` (when our stalled-time total was `stalled`). */
export function createArrivals(window: number, now: number, stalled: number): ArrivalWindow {
  return {
    gaps: new Array<number>(window).fill(0),
    next: 0,
    count: 0,
    first: now,
    anchor: now,
    anchorStalled: stalled,
    previous: Number.NaN,
    latest: now,
    latestStalled: stalled,
    longestSilence: 0,
    spread: 0,
    latestWaited: false,
    heard: 1,
    steps: 0,
    longestStep: 0,
    afterStall: false,
    foreign: false,
    channelsLatest: Number.NaN,
    channelsGap: 0,
    median: Number.NaN,
    deviation: 0,
    largest: 0,
    smallest: 0,
  };
}

let scratch = new Float64Array(16);

function medianOf(sorted: Float64Array): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Recompute median, deviation and largest gap from the ring (O(window log window), once per regular gap). */
function summarise(w: ArrivalWindow): void {
  if (scratch.length < w.count) scratch = new Float64Array(w.gaps.length);
  const held = scratch.subarray(0, w.count);
  for (let i = 0; i < w.count; i++) held[i] = w.gaps[i] as number;
  held.sort();
  const median = medianOf(held);
  w.median = median;
  w.largest = held[w.count - 1] as number;
  w.smallest = held[0] as number;
  for (let i = 0; i < w.count; i++) held[i] = Math.abs((w.gaps[i] as number) - median);
  held.sort();
  w.deviation = MAD_TO_DEVIATION * medianOf(held);
}

/** Move the anchor to `now`, remembering the one before. */
function moveAnchor(w: ArrivalWindow, now: number, stalled: number): void {
  w.previous = w.anchor;
  w.anchor = now;
  w.anchorStalled = stalled;
  w.steps = 0;
  w.longestStep = 0;
}

/**
 * An extra at `now`: if the last regular gap ended on a clearly early PDU (a late change) and this
 * is the first announcement since, on time from the anchor before, it replaces that gap.
 */
function correctLateExtra(w: ArrivalWindow, now: number, stalled: number): boolean {
  if (w.count === 0 || w.steps > 1) return false;
  const last = (w.next + w.gaps.length - 1) % w.gaps.length;
  const candidate = now - w.previous;
  const early = (w.gaps[last] as number) < (1 - ON_TIME_BAND) * w.median;
  if (!early || !(Math.abs(candidate - w.median) <= ON_TIME_BAND * w.median)) return false;
  w.gaps[last] = candidate;
  w.anchor = now;
  w.anchorStalled = stalled;
  w.steps = 0;
  w.longestStep = 0;
  summarise(w);
  return true;
}

/**
 * A PDU of this peer arrived at `now` (our stalled-time total `stalled`); `assumedMs` is our own
 * interval, the reference before any gap is learned (so that the burst of changes a peer announces
 * as it starts is not taken for its interval). Returns whether the learned gaps changed.
 */
export function recordArrival(w: ArrivalWindow, now: number, stalled: number, assumedMs: number): boolean {
  const reference = w.count > 0 ? w.median : assumedMs;
  const step = now - w.latest;
  const stalledFor = stalled - w.latestStalled;
  const stalledThrough = stalledFor > STALL_SHARE * step;
  w.latest = now;
  w.latestStalled = stalled;
  if (step >= PIECE_SHARE * reference) {
    w.heard += 1;
    w.steps += 1;
    w.longestStep = Math.max(w.longestStep, step);
    // Only a step between two PDUs handled on time is evidence of the peer's rate ("like us"), and
    // the short stall of ours that it may hold is no silence of the peer's.
    if (!stalledThrough && !w.latestWaited) {
      const silence = step - stalledFor;
      w.longestSilence = Math.max(w.longestSilence, silence);
      w.spread += silence;
    }
    w.latestWaited = stalledThrough;
  } else if (stalledThrough) w.latestWaited = true;
  const gap = now - w.anchor;
  // Across a stall of ours the PDUs came in a burst when we ran again: no interval to learn, and
  // the gap after the burst (measured from a PDU that may have waited) is not one either.
  if (stalled - w.anchorStalled > STALL_SHARE * gap) {
    moveAnchor(w, now, stalled);
    w.afterStall = true;
    return false;
  }
  if (gap < EXTRA_GAP_SHARE * reference) {
    if (!w.afterStall) return correctLateExtra(w, now, stalled);
    moveAnchor(w, now, stalled); // the latest PDU of the burst is the one that waited least
    return false;
  }
  if (w.afterStall) {
    moveAnchor(w, now, stalled);
    w.afterStall = false;
    return false;
  }
  // Evenly spaced PDUs all the way from the anchor: that spacing is its interval.
  const even = w.steps >= 2 && w.longestStep * w.steps <= (1 + ON_TIME_BAND) * gap;
  w.gaps[w.next] = even ? gap / w.steps : gap;
  w.next = (w.next + 1) % w.gaps.length;
  w.count = Math.min(w.count + 1, w.gaps.length);
  moveAnchor(w, now, stalled);
  summarise(w);
  return true;
}
