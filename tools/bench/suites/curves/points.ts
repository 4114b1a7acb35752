/**
 * The points of the cost curves (pure): which sizes each curve measures, how much load each point
 * gets and how long it may take. `--quick` keeps the smaller points, at a tenth of the load.
 */

/** One point of the channels curve: `channels` channels of `membersPer` members, `totalRate` posts/s over all. */
export interface ChannelsPoint {
  readonly channels: number;
  readonly membersPer: number;
  /** Posts per second over all channels together (fixed along the curve). */
  readonly totalRate: number;
  /** Measured seconds, after one unmeasured second at the same rate. */
  readonly seconds: number;
  /** ms the whole point (connect, warm-up, run, drain) may take. */
  readonly budgetMs: number;
}

/** One point of the members curve: one sender, `members` members in one channel, `posts` posts as fast as they go. */
export interface MembersPoint {
  readonly members: number;
  readonly posts: number;
  readonly budgetMs: number;
}

/** How the history of a point is laid out on disk. */
export type HistoryLayout = 'one-channel' | 'spread';

/** One point of the history curve: `posts` stored posts, in one channel or in channels of `perChannel`. */
export interface HistoryPoint {
  readonly posts: number;
  readonly layout: HistoryLayout;
  /** Channels the posts are spread over. */
  readonly channels: number;
  /** Posts per channel, which is also the server's `--history-per-channel` and what a JOIN replays. */
  readonly perChannel: number;
  readonly budgetMs: number;
}

/** Every point of the three curves, in the order they run. */
export interface CurvePoints {
  readonly channels: readonly ChannelsPoint[];
  readonly members: readonly MembersPoint[];
  readonly history: readonly HistoryPoint[];
}

/** Members per channel along the channels curve ("a few"). */
export const MEMBERS_PER_CHANNEL = 3;
/** Posts per second over all channels along the channels curve. */
export const TOTAL_POST_RATE = 4_000;
/** Posts per channel in the spread history layout: the server's default `--history-per-channel`. */
export const SPREAD_PER_CHANNEL = 1_000;
/**
 * Deliveries each members point aims at (posts = this / members), so every point costs about the
 * same; at ~1.3 M deliveries/s that is under a second, long enough for /proc's 10 ms CPU ticks.
 */
const MEMBERS_DELIVERIES = 1_000_000;

/** Descriptors a process needs besides its load connections (files, pipes, the listener, libuv). */
export const FD_RESERVE = 300;

/**
 * Members per channel at `channels` channels: {@link MEMBERS_PER_CHANNEL}, fewer (at least 1) when
 * the connections would not fit in `openFiles` descriptors (the server holds one per connection,
 * and so does the load generator).
 */
export function membersPerChannel(channels: number, openFiles: number): number {
  return Math.max(1, Math.min(MEMBERS_PER_CHANNEL, Math.floor((openFiles - FD_RESERVE) / channels)));
}

/**
 * The points for `scale` 1 (full run) or below 1 (`--quick`: the small end of each curve, less
 * load), with `openFiles` the soft `ulimit -n` that both processes run under.
 */
export function curvePoints(scale: number, openFiles = Infinity): CurvePoints {
  const quick = scale < 1;
  const channelSizes = quick ? [1, 10, 100, 1_000] : [1, 10, 100, 1_000, 10_000];
  const memberSizes = quick ? [10, 100, 1_000] : [10, 100, 1_000, 5_000];
  const historySizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
  const seconds = quick ? 2 : 10;
  return {
    channels: channelSizes.map((channels) => {
      const membersPer = membersPerChannel(channels, openFiles);
      return {
        channels,
        membersPer,
        totalRate: quick ? TOTAL_POST_RATE / 4 : TOTAL_POST_RATE,
        seconds,
        // Connecting takes most of the budget at the top end: 5.5 ms a connection on a loaded 2-core VM.
        budgetMs: 60_000 + seconds * 1_000 + channels * membersPer * 12,
      };
    }),
    members: memberSizes.map((members) => ({
      members,
      posts: Math.max(20, Math.round((MEMBERS_DELIVERIES * (quick ? 0.1 : 1)) / members)),
      // Joining is quadratic: after every JOIN the server sends STANDBY to every member (docs/protocol.md §2).
      // 1,000 members took 4.6 s of server CPU to join (11 s wall, loaded): 5,000 take 25 times that.
      budgetMs: 60_000 + (members * members) / 60,
    })),
    history: historySizes.flatMap((posts): HistoryPoint[] => {
      const budgetMs = 60_000 + posts / 10;
      const one: HistoryPoint = { posts, layout: 'one-channel', channels: 1, perChannel: posts, budgetMs };
      if (posts <= SPREAD_PER_CHANNEL) return [one];
      const spread: HistoryPoint = { posts, layout: 'spread', channels: posts / SPREAD_PER_CHANNEL, perChannel: SPREAD_PER_CHANNEL, budgetMs };
      return [one, spread];
    }),
  };
}

/** Connections a channels point opens (the load generator and the server each hold one descriptor per connection). */
export function connectionsOf(p: ChannelsPoint): number {
  return p.channels * p.membersPer;
}

/** Connections per source address: one address has 28 k ephemeral ports on Linux by default, so stay well below. */
export const CONNECTIONS_PER_ADDRESS = 10_000;

/** The 127.0.0.x source address of connection `i` (x from 1), so no address carries more than {@link CONNECTIONS_PER_ADDRESS}. */
export function sourceAddressOf(i: number): string {
  return `127.0.0.${1 + Math.floor(i / CONNECTIONS_PER_ADDRESS)}`;
}
