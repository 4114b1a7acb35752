/**
 * Wire numbers of the protocol (docs/protocol.md §2–4). Nothing else in the project repeats them.
 * @packageDocumentation
 */

/** IPv4 multicast group every peer announces to and listens on (docs/protocol.md §3). */
export const MULTICAST_GROUP_V4 = '239.255.99.63';
/** IPv6 link-local multicast group, same port (docs/protocol.md §3). */
export const MULTICAST_GROUP_V6 = 'ff02::4c:48:43';
/** UDP port of the discovery group. */
export const DISCOVERY_PORT = 55_555;
/** Multicast TTL: discovery never leaves the link. */
export const MULTICAST_TTL = 1;

/** PeerPDU option: the client's nickname. */
export const CLIENT_NICK_OPTION = 0x01;
/** PeerPDU option: the client's public channel memberships per server. */
export const CLIENT_MEMBERSHIP_OPTION = 0x02;
/** PeerPDU option: the peer hosts channels; carries its TCP port. */
export const SERVER_OPTION = 0x10;
/** PeerPDU option: the public channels a server hosts. */
export const SERVER_CHANNELS_OPTION = 0x11;
/** PeerPDU option: an invitation to a channel for a list of client IDs. */
export const SERVER_INVITE_OPTION = 0x12;

/** Bytes of the frame length prefix (u32). */
export const FRAME_HEADER_BYTES = 4;
/** Default limit on one frame's body, enforced from the length field. */
export const DEFAULT_MAX_FRAME_BYTES = 65_536;
/** Default limit on one discovery datagram (docs/protocol.md §3). */
export const DEFAULT_MAX_DATAGRAM_BYTES = 1_400;
/** Largest u8 count in a PeerPDU option. */
export const MAX_LIST_COUNT = 255;
/** Lowest TCP port a server may listen on (the draft §2). */
export const SERVER_PORT_MIN = 49_152;
/** Highest TCP port a server may listen on. */
export const SERVER_PORT_MAX = 65_535;
/** Default interval between two PeerPDUs of one peer (docs/protocol.md §3). */
export const DEFAULT_ANNOUNCE_INTERVAL_MS = 2_000;
/** Intervals without a PDU after which a peer is disconnected (docs/protocol.md §4). */
export const DISCONNECT_AFTER_INTERVALS = 3;
/**
 * Longest peer ID ims assigns or accepts from its own command lines, config and ID files (a UUID
 * has 36), so IDs stay readable in logs and lobby listings. The wire sets no cap (docs/protocol.md
 * §1): IDs of other implementations are accepted at any length.
 */
export const MAX_CONFIGURED_PEER_ID_LENGTH = 64;

/**
 * Longest channel name ims accepts or sends, in bytes (names are ASCII, so also characters):
 * docs/protocol.md §1.1. A JOIN over it is refused (`BAD_NAME`) and a listed name over it is
 * skipped, so that one name can never crowd a host's announcement out of its datagram: 200 bytes
 * is RFC 1459's channel-name limit and leaves, beside a 64-byte peer ID, SERVER_OPTION and the
 * list head, over 1,100 of the 1,400 datagram bytes for the nick and the other names (§3.6).
 */
export const MAX_CHANNEL_NAME_BYTES = 200;

/** Successors a STANDBY carries at most (docs/protocol.md §2.8); further fields are ignored. */
export const MAX_SUCCESSORS = 8;

/**
 * Frames per second an ims host accepts from one connection, sustained (docs/protocol.md §9):
 * members pace their own posts below it.
 */
export const DEFAULT_FLOOD_RATE = 100;
/** Frames one connection may send to an ims host in a burst (docs/protocol.md §9). */
export const DEFAULT_FLOOD_BURST = 200;
