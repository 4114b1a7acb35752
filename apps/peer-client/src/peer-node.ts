/**
 * What the front-ends (interactive terminal, `chat --json`, `lobby`) need from a running peer.
 * `startPeerNode` (node-runtime.ts) implements it with discovery, the embedded host and member
 * sessions; unit tests of the front-ends use a fake.
 */
import type { Observable } from 'rxjs';
import type { ChatEvent } from './chat-event.js';
import type { Notice } from './member-notices.js';
import type { DirectMessage } from './direct-message.js';

/** One peer as the lobby shows it. */
export interface LobbyPeer {
  readonly id: string;
  /** CLIENT_NICK, if the peer announces one. */
  readonly nick?: string;
  /** A dedicated server's name (its CLIENT_NICK without CLIENT_MEMBERSHIP, docs/protocol.md §3.7). */
  readonly name?: string;
  /** Source address of its PeerPDUs. */
  readonly address: string;
  /** Liveness (docs/protocol.md §4). */
  readonly state: 'alive' | 'maybeDisconnected' | 'disconnected';
  /** TCP port from SERVER_OPTION, if it hosts channels. */
  readonly serverPort?: number;
  /** Public channels it hosts (SERVER_CHANNELS). */
  readonly channels: readonly string[];
}

/** An invitation addressed to this peer (SERVER_INVITE). */
export interface LobbyInvitation {
  readonly channel: string;
  /** Peer ID of the host that announced it. */
  readonly serverId: string;
}

/** What this peer knows about the LAN right now; `self` is not among `peers`. */
export interface LobbySnapshot {
  readonly selfId: string;
  readonly peers: readonly LobbyPeer[];
  readonly invitations: readonly LobbyInvitation[];
}

/** One joined channel. Events end (complete) after `left`. */
export interface ChannelHandle {
  readonly channel: string;
  /** The peer ID hosting the channel now, once joined (follows failovers). */
  readonly host: string | undefined;
  /** Every event of this channel, in order (JSON contract, see chat-event.ts). */
  readonly events$: Observable<ChatEvent>;
  /** Peer IDs of the members the host told us about (authors seen and the standby); best effort. */
  members(): readonly string[];
  /** Posts `text`; kept and re-sent across a failover until the host echoes it. */
  post(text: string): void;
  /** Own posts still awaiting their echo (queued before the session started, or pending in it); 0 once left. */
  pending(): number;
  /** Sends INVITE for these peer IDs. */
  invite(peerIds: readonly string[]): void;
  /** Sends EXIT, then closes; resolves when the connection is closed. */
  exit(): Promise<void>;
}

/** A running peer: discovery, optional embedded host, and the channels it joined. */
export interface PeerNode {
  readonly selfId: string;
  /** Current nickname. */
  nick(): string;
  /** Changes the nickname; the next PeerPDU carries it. */
  setNick(nick: string): void;
  /** A peer's nick (discovery's, else one remembered from earlier), this peer's own for `selfId`, else the ID. */
  nameOf(id: string): string;
  /** Lobby snapshots, the latest first on subscribe. */
  readonly lobby$: Observable<LobbySnapshot>;
  /** The latest lobby snapshot. */
  lobby(): LobbySnapshot;
  /** Join, part, quit and nick-change notices about the members of joined channels (member-notices.ts). */
  readonly notices$: Observable<Notice>;
  /** Private chats other peers opened for this one on its embedded host (direct-message.ts), once each. */
  readonly directMessages$: Observable<DirectMessage>;
  /** True when `id` is a peer that announced the stop of its host (no SERVER_OPTION any more, docs/protocol.md §3.7). */
  hostStopped(id: string): boolean;
  /** Joins `channel` on `server` (peer ID), else where the lobby shows it, else on the embedded host. */
  join(channel: string, server?: string): ChannelHandle;
  /** Leaves every channel (EXIT), stops announcing, closes every socket. */
  close(): Promise<void>;
}
