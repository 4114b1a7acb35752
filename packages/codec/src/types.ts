/**
 * Protocol values: TCP commands (docs/protocol.md §2) and PeerPDUs (§3), as typed data.
 * Field names follow the draft; `cmd` and option `type` are spelled as on the wire.
 */
import type { CodecError } from './errors.js';

/** `JOIN channelName [clientId]`: join (and create if missing) a channel on this connection. */
export interface JoinCommand {
  readonly cmd: 'JOIN';
  readonly channel: string;
  /** Extension: the joining client's peer ID (docs/protocol.md §2). */
  readonly clientId?: string;
}
/** `SAY text`, client → server: post to this connection's channel. */
export interface SayCommand {
  readonly cmd: 'SAY';
  readonly text: string;
}
/** `EXIT`: leave this connection's channel. */
export interface ExitCommand {
  readonly cmd: 'EXIT';
}
/** `INVITE clientId1 … clientIdN` (N ≥ 1). */
export interface InviteCommand {
  readonly cmd: 'INVITE';
  readonly clientIds: readonly string[];
}
/** `SAY authorId text [at]`, server → client: fan-out of a post to every member, the author included. */
export interface ServerSayCommand {
  readonly cmd: 'SAY';
  readonly authorId: string;
  readonly text: string;
  /**
   * Extension (docs/protocol.md §2.8): when the host accepted the post, ms since the Unix epoch.
   * ims hosts send it on history SAYs; receivers that do not know it ignore the extra field.
   */
  readonly at?: number;
  /**
   * Extension (docs/protocol.md §2.8): the author's nick as the host knows it, after `at` (never
   * without it). ims hosts send it on history SAYs, so a departed author keeps a name.
   */
  readonly nick?: string;
}
/** `STANDBY peerId [successor…]`, server → client: the channel's standby peer. */
export interface StandbyCommand {
  readonly cmd: 'STANDBY';
  readonly peerId: string;
  /**
   * Extension (docs/protocol.md §2.8, §5.5): the members that take over after the standby, in
   * order, at most `MAX_SUCCESSORS` (8). Receivers that do not know it ignore the extra fields.
   */
  readonly successors?: readonly string[];
  /**
   * Extension (docs/protocol.md §2.8, §8): peer IDs admitted to the private channel, sent by its
   * host to the standby and successors only, in one `ADMIT id…` field of at most
   * `MAX_ADMITTED_FIELD_BYTES` (`chunkAdmitted` splits a list). Plain receivers ignore it.
   */
  readonly admitted?: readonly string[];
}
/** `ERROR reason`, server → client: extension, sent before dropping a frame or closing. */
export interface ErrorCommand {
  readonly cmd: 'ERROR';
  readonly reason: string;
}

/** What a client sends and a server reads. */
export type ClientCommand = JoinCommand | SayCommand | ExitCommand | InviteCommand;
/** What a server sends and a client reads. */
export type ServerCommand = ServerSayCommand | StandbyCommand | ErrorCommand;
/** Any TCP command. */
export type Command = ClientCommand | ServerCommand;
/** Which side of a connection a decoder reads for: `toServer` decodes ClientCommands. */
export type Direction = 'toServer' | 'toClient';

/** The public channels a client is a member of on one server (CLIENT_MEMBERSHIP). */
export interface ServerMembership {
  readonly serverId: string;
  readonly channels: readonly string[];
}

/** One PeerPDU option (docs/protocol.md §3), discriminated on `type`. */
export type PduOption =
  | { readonly type: 'CLIENT_NICK'; readonly nick: string }
  | { readonly type: 'CLIENT_MEMBERSHIP'; readonly servers: readonly ServerMembership[] }
  | { readonly type: 'SERVER_OPTION'; readonly port: number }
  | { readonly type: 'SERVER_CHANNELS'; readonly channels: readonly string[] }
  | { readonly type: 'SERVER_INVITE'; readonly channel: string; readonly clientIds: readonly string[] };

/** A discovery datagram: the sender's peer ID and its options, in wire order. */
export interface PeerPdu {
  readonly peerId: string;
  readonly options: readonly PduOption[];
}

/**
 * Result of decoding network input: never thrown. `warning` reports a recoverable oddity
 * (e.g. an unknown PDU option that ended parsing early) next to a usable value.
 */
export type Decoded<T> =
  | { readonly ok: true; readonly value: T; readonly warning?: CodecError }
  | { readonly ok: false; readonly error: CodecError };
