/**
 * Plain-data contract of the member reducer: one channel membership as a client sees it
 * (docs/protocol.md §5, docs/architecture.md "Failover", "No loss, no duplicates", "Partition heal").
 */
import type { ClientCommand, ServerCommand } from '@ims/codec';
import type { Post } from '../types.js';

/** A host to dial: its peer ID and TCP endpoint. */
export interface MemberTarget {
  readonly peerId: string;
  readonly address: string;
  readonly port: number;
}

/** Liveness of a discovered peer (docs/protocol.md §4). */
export type HostLiveness = 'alive' | 'maybeDisconnected' | 'disconnected';

/**
 * One hosting peer as the lobby shows it (discovery's servers). Discovery never lists this peer
 * itself; a runtime with an embedded host may add it (`alive`, the channels it announces), so a
 * channel that host wins in a partition heal draws this member too (docs/protocol.md §5.8).
 */
export interface LobbyHost {
  readonly id: string;
  readonly address: string;
  /** TCP port from SERVER_OPTION. */
  readonly port: number;
  readonly state: HostLiveness;
  /** Public channels it announces (SERVER_CHANNELS). */
  readonly channels: readonly string[];
}

/** Inputs of the member reducer. */
export type MemberInput =
  /** Start: join the channel on this host. */
  | { readonly kind: 'join'; readonly target: MemberTarget }
  /** The last `connect` succeeded. */
  | { readonly kind: 'connected' }
  /** The last `connect` failed; `refused` = ECONNREFUSED (the process is gone). */
  | { readonly kind: 'connect-failed'; readonly refused: boolean }
  /** A frame from the host; `at` = the runtime's clock (ms) when it arrived, kept on the posts seen. */
  | { readonly kind: 'frame'; readonly command: ServerCommand; readonly at: number }
  /** The connection closed without us asking (`disconnect`) for it. */
  | { readonly kind: 'closed' }
  /** The user posts text. */
  | { readonly kind: 'post'; readonly text: string }
  /** The user leaves the channel. */
  | { readonly kind: 'exit' }
  /**
   * Discovery's hosting peers, on every change; `at` = the runtime's clock (ms, the same clock as
   * the frames'), which lets a lost host's mark expire (docs/protocol.md §5.5).
   */
  | { readonly kind: 'lobby'; readonly hosts: readonly LobbyHost[]; readonly at: number }
  /**
   * The runtime waited for the STANDBY that ends a JOIN and none came (docs/protocol.md §7.7): the
   * join completes without a standby. `at` = the runtime's clock (ms).
   */
  | { readonly kind: 'no-standby'; readonly at: number }
  /** The wake-up the last `schedule` effect asked for is due (re-send refused posts, or dial again). */
  | {
      readonly kind: 'timer';
      /** The runtime's clock (ms) when it fired: lost-host marks expire by it (docs/protocol.md §5.5). @default none (they wait for the next `lobby` or `frame`) */
      readonly at?: number;
    };

/** What the front-ends show (the peer-client JSON contract, without `ts`/`channel`/`nick`). */
export type MemberEvent =
  | { readonly event: 'joined'; readonly host: string }
  | { readonly event: 'history'; readonly author: string; readonly text: string }
  | { readonly event: 'say'; readonly author: string; readonly text: string }
  /** `standby === host` means there is none. */
  | { readonly event: 'standby'; readonly standby: string; readonly host: string }
  | { readonly event: 'failover'; readonly from: string; readonly host: string; readonly reason: FailoverReason }
  | { readonly event: 'error'; readonly code: string; readonly message: string }
  | { readonly event: 'left'; readonly reason: 'exit' | 'lost' };

/**
 * Why the channel moved: `closed` (fast path: connection closed, reconnect failed), `silent`
 * (timer path: three intervals without a PDU), `partition` (converged on the smaller host ID).
 */
export type FailoverReason = 'closed' | 'silent' | 'partition';

/**
 * Effects of the member reducer, executed in order. After `disconnect` (and before the next
 * `connect`) the runtime reports nothing more about the old connection.
 */
export type MemberEffect =
  /** Dial this host (at most one connection is open at a time). */
  | { readonly kind: 'connect'; readonly target: MemberTarget }
  | { readonly kind: 'send'; readonly command: ClientCommand }
  /** Close the connection without waiting for anything. */
  | { readonly kind: 'disconnect' }
  | { readonly kind: 'event'; readonly event: MemberEvent }
  /**
   * Feed `timer` after about `afterMs` (the runtime adds jitter, so members refused together do not
   * come back together); replaces any wake-up asked for before.
   */
  | { readonly kind: 'schedule'; readonly afterMs: number };

/** Options of `createMember`. */
export interface MemberOptions {
  /** This peer's ID: sent in JOIN, and the author of our own posts. */
  readonly selfId: string;
  readonly channel: string;
  /** The embedded host's endpoint, when this peer can host: the failover target when we are standby. @default undefined (cannot host) */
  readonly selfEndpoint?: { readonly address: string; readonly port: number };
  /**
   * The hosts' `historyLimit`: a history this long after a rejoin may have dropped old posts, so
   * seen posts older than its first known one are not taken as lost. @default 1000
   */
  readonly hostHistoryLimit?: number;
  /** Posts remembered as seen, to align histories after a failover. @default 1000 */
  readonly seenLimit?: number;
  /** Own posts kept until the host echoes them; a post beyond is refused with an error event. @default 1000 */
  readonly pendingLimit?: number;
  /**
   * How long (ms) a host we failed over from must still show `alive` in the lobby before it is a
   * target and a partition-heal winner again (docs/protocol.md §5.5): longer than discovery keeps a
   * silent peer `alive`, so only a host that announced after our failover (a restart) passes.
   * @default 9000 (4 intervals + grace at the default 2 s interval: discovery's drop time)
   */
  readonly lostHostExpiryMs?: number;
  /**
   * First back-off (ms) after a refusal: a post refused with `FLOOD`/`STORE_UNAVAILABLE`, or a JOIN
   * refused for capacity (docs/protocol.md §6.2); doubled on each refusal in a row. @default 250
   */
  readonly retryBaseMs?: number;
  /** Longest back-off (ms) between two tries. @default 5000 */
  readonly retryMaxMs?: number;
  /** Dials of a failover target that time out (not refused) tried again, backing off, before the next target. @default 2 */
  readonly dialRetries?: number;
  /**
   * The host's frame limit (docs/protocol.md §9): a post whose `SAY` frame body is longer is refused
   * locally (`POST_TOO_LARGE`), never sent (the host would close the connection). @default 65536 (DEFAULT_MAX_FRAME_BYTES)
   */
  readonly maxFrameBytes?: number;
  /**
   * Closes of the connection in a row with the same post oldest in flight and never echoed, after
   * which that post is dropped (`POST_REFUSED`) rather than re-sent on every reconnect. At least 1. @default 3
   */
  readonly maxClosesPerPost?: number;
  /** IDs of a private channel's admission list kept from the hosts' STANDBY admission fields (docs/protocol.md §2.8). @default 10000 */
  readonly maxAdmitted?: number;
}

/** The member's state as plain data, for tests and metrics. */
export interface MembershipSnapshot {
  readonly phase: 'idle' | 'connecting' | 'joining' | 'joined' | 'left';
  readonly host: string | undefined;
  readonly standby: string | undefined;
  readonly pending: readonly string[];
  readonly expectedResends: number;
}

/** A member reducer instance. */
export interface Member {
  /** Applies one input and returns the effects to execute, in order. */
  handle(input: MemberInput): MemberEffect[];
  /** The current state as plain data. */
  snapshot(): MembershipSnapshot;
  /**
   * The posts shown (`history` and `say` events), oldest first, at most `seenLimit`; `at` is the
   * arrival time of its frame (the `frame` input's `at`).
   */
  seenPosts(): Post[];
  /** Own posts not yet echoed, in O(1) (`snapshot().pending.length` without the copy). */
  pendingCount(): number;
  /**
   * The private channel's admission list its hosts sent us as standby or successor (docs/protocol.md
   * §2.8), for our embedded host's takeover (§8); `undefined` while none came (a public channel, or
   * a host that sends none).
   */
  admitted(): ReadonlySet<string> | undefined;
}
