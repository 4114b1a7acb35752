/**
 * Plain-data contract between the host reducer and the runtime that executes it
 * (agreed with @ims/host-service and @ims/member-session: change only by keeping both sides compiling).
 */
import type { ClientCommand, CodecError, ServerCommand } from '@ims/codec';

/** Opaque connection id chosen by the runtime; never a socket. */
export type ConnId = string;

/** One post of a channel's history; `at` is the host's `now()` in ms when it was accepted. */
export interface Post {
  readonly authorId: string;
  readonly text: string;
  readonly at: number;
}

/** A post read from another host's history SAYs: `at` only when that host sent it (docs/protocol.md §2.8). */
export interface PulledPost {
  readonly authorId: string;
  readonly text: string;
  readonly at?: number;
}

/** What the host needs to know about one discovered peer, as plain data from discovery. */
export interface PeerInfo {
  readonly id: string;
  readonly address: string;
  /** Announces SERVER_OPTION: it could host the channel after a failover. */
  readonly canHost: boolean;
  /** SERVER_OPTION without CLIENT_NICK: a dedicated server, preferred as standby. */
  readonly dedicated: boolean;
  /** Number of public channels it announces (SERVER_CHANNELS). */
  readonly hostedChannels: number;
  /**
   * The public channels it announces, when known: a channel also announced by an alive host with a
   * smaller ID is yielded (no longer announced here; docs/architecture.md "Partition heal").
   * @default undefined (unknown: never yield to this peer)
   */
  readonly channels?: readonly string[];
  /** Announces CLIENT_NICK. */
  readonly isClient: boolean;
  /**
   * Not `disconnected` (docs/protocol.md §4): `alive` or only `maybeDisconnected`. A suspect keeps
   * its roles (standby, successor, partition-heal winner; §5.1, §5.3).
   */
  readonly alive: boolean;
  /**
   * Liveness `maybeDisconnected`: one announcement missed. Keeps its roles; a new standby pick
   * prefers a member that is not suspected.
   * @default false
   */
  readonly suspected?: boolean;
}

/** Inputs of the host reducer. */
export type HostInput =
  | { readonly kind: 'opened'; readonly conn: ConnId; readonly remote: { readonly address: string; readonly port: number } }
  | { readonly kind: 'frame'; readonly conn: ConnId; readonly command: ClientCommand }
  /** A per-frame codec error: the host answers ERROR (the runtime closes on fatal errors itself). */
  | { readonly kind: 'bad-frame'; readonly conn: ConnId; readonly error: CodecError }
  /** The socket is gone, after EXIT or not. */
  | { readonly kind: 'closed'; readonly conn: ConnId }
  /** Discovery snapshot, sent on every change. */
  | { readonly kind: 'peers'; readonly peers: readonly PeerInfo[] }
  /** History this peer holds for a channel: used when a JOIN creates that channel (takeover). Replaces the posts only, never an admission list. */
  | { readonly kind: 'archive'; readonly channel: string; readonly posts: readonly Post[] }
  /**
   * Peer IDs admitted to a private channel (docs/protocol.md §8), read from the store at start
   * (`stored`: no `admit` effect for them) or learned from its host's STANDBY as a member (§2.8):
   * added to the channel's admission list, which a takeover then enforces. Never removes an ID.
   */
  | { readonly kind: 'admitted'; readonly channel: string; readonly ids: readonly string[]; readonly stored?: boolean }
  /** Another host's copy of the channel, pulled after a split (docs/protocol.md §5.8): the posts this host lacks join its history. */
  | { readonly kind: 'merge'; readonly channel: string; readonly posts: readonly PulledPost[] }
  /** A post whose store write failed (the runtime sent no broadcast for it): it leaves the history (docs/protocol.md §6.2 STORE_UNAVAILABLE). */
  | { readonly kind: 'retract'; readonly channel: string; readonly post: Post }
  /** The time a `wake` effect asked for has come (or passed): deadlines due by `now()` are handled. */
  | { readonly kind: 'tick' };

/** Log levels of `log` effects. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Effects of the host reducer, executed in order by the runtime. */
export type HostEffect =
  | { readonly kind: 'send'; readonly conn: ConnId; readonly command: ServerCommand }
  /** One frame to many connections: the runtime encodes it once. */
  | { readonly kind: 'broadcast'; readonly conns: readonly ConnId[]; readonly command: ServerCommand }
  /**
   * A channel's history to one joiner, oldest first: each post as `historySay(post)`, a SAY with
   * its accept time (docs/protocol.md §2.6, §2.8). One effect for the whole replay, holding the
   * history's own Post objects, so a runtime can encode each post once for every joiner.
   */
  | { readonly kind: 'replay'; readonly conn: ConnId; readonly posts: readonly Post[] }
  | { readonly kind: 'close'; readonly conn: ConnId; readonly reason: string }
  /** The public channel list changed: announce it now (never contains '@' names). */
  | { readonly kind: 'channels'; readonly public: readonly string[] }
  /** Multicast a PeerPDU with SERVER_INVITE. */
  | { readonly kind: 'invite'; readonly channel: string; readonly clientIds: readonly string[] }
  /** Store a post in the history store. */
  | { readonly kind: 'persist'; readonly channel: string; readonly post: Post }
  /** Store these peer IDs in the private channel's admission list (docs/protocol.md §8), with the turn's commit. */
  | { readonly kind: 'admit'; readonly channel: string; readonly ids: readonly string[] }
  /** Feed a `tick` input at time `at` (the runtime's clock, as `now()`); a later `wake` does not cancel an earlier one. */
  | { readonly kind: 'wake'; readonly at: number }
  | { readonly kind: 'log'; readonly level: LogLevel; readonly event: string; readonly fields: Record<string, unknown> };

/** Options of `createHost`. */
export interface HostOptions {
  /** This peer's ID: never picked as standby, named by STANDBY when no member can be one. */
  readonly hostId: string;
  /** Posts kept per channel and sent to a new member. @default 1000 */
  readonly historyLimit?: number;
  /** Live channels this host serves at once. @default 10_000 */
  readonly maxChannels?: number;
  /** Members of one channel. @default 10_000 */
  readonly maxMembersPerChannel?: number;
  /** Peer IDs admitted to one private channel (creator plus invited). @default 10_000 */
  readonly maxAdmittedPerChannel?: number;
  /** Channels whose history is kept while they are not live (closed or not yet taken over). @default 10_000 */
  readonly maxArchivedChannels?: number;
  /**
   * Private channels whose admission list this host keeps (live, closed, or learned as a standby;
   * docs/protocol.md §8). Never evicted: when full, a JOIN that would create a new private channel
   * is refused with `TOO_MANY_CHANNELS`, and a list learned for a new name is not kept. @default 10_000
   */
  readonly maxPrivateChannels?: number;
  /** Distinct peer IDs one INVITE may name; more is refused whole with `TOO_MANY_INVITEES` (docs/protocol.md §9). @default 64 */
  readonly maxInviteIds?: number;
  /** INVITEs per second one connection may have announced (SERVER_INVITE), in bursts of as many; more are refused with `INVITE_RATE`. @default 2 */
  readonly invitesPerSecond?: number;
  /** INVITEs per second the whole host announces (all connections together), in bursts of as many; more are refused with `INVITE_RATE`. @default 20 */
  readonly hostInvitesPerSecond?: number;
  /**
   * How long a JOIN naming a member connected on another live connection waits for that connection
   * to fail its check (docs/protocol.md §10) before it is refused with `ID_IN_USE`. @default 2000
   */
  readonly replaceCheckMs?: number;
  /** Channels one remote address may create per second, after a burst of `channelCreationBurst`; more are refused with `CREATE_RATE`. @default 10 */
  readonly channelCreationsPerSecond?: number;
  /** Channels one remote address may create at once; 0 turns the creation limits off (private ones included). @default 512 */
  readonly channelCreationBurst?: number;
  /** Private channels one remote address may create per hour after its burst (each admission list is kept for good); more are refused with `CREATE_RATE`. @default 60 */
  readonly privateCreationsPerHour?: number;
  /** Private channels one remote address may create at once. @default 16 */
  readonly privateCreationBurst?: number;
}

/** One member in a `HostSnapshot`. */
export interface MemberSnapshot {
  readonly id: string;
  readonly conn: ConnId;
  readonly joinedAt: number;
}

/** One live channel in a `HostSnapshot`. */
export interface ChannelSnapshot {
  readonly name: string;
  readonly private: boolean;
  readonly members: readonly MemberSnapshot[];
  readonly standby: string;
  /** The successors STANDBY names after the standby (docs/protocol.md §2.8), best first. */
  readonly successors: readonly string[];
  readonly historyLength: number;
}

/** The host's state as plain data, for metrics and tests. */
export interface HostSnapshot {
  readonly channels: readonly ChannelSnapshot[];
  readonly connections: number;
  readonly archivedChannels: number;
  /** Private channels whose admission list is kept (live or not). */
  readonly privateChannels: number;
}

/** A host reducer instance: feed inputs, execute the returned effects in order. */
export interface Host {
  /** Applies one input and returns the effects to execute, in order. */
  handle(input: HostInput): HostEffect[];
  /** The current state as plain data. */
  snapshot(): HostSnapshot;
}
