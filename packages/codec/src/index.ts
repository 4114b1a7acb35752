/**
 * @ims/codec: bytes ⇄ values for the ims wire protocol (docs/protocol.md §2 TCP commands, §3 PeerPDUs).
 * Pure: no Node built-ins, no rxjs, no timers. Network input never throws; encoders throw on bad values.
 *
 * @example
 * ```ts
 * import { encodeFrame, serverSideDecoder } from '@ims/codec';
 * const dec = serverSideDecoder();
 * for (const r of dec.push(encodeFrame({ cmd: 'JOIN', channel: '#lobby' }))) if (r.ok) console.log(r.value);
 * ```
 * @packageDocumentation
 */
export {
  CLIENT_MEMBERSHIP_OPTION,
  CLIENT_NICK_OPTION,
  DEFAULT_ANNOUNCE_INTERVAL_MS,
  DEFAULT_MAX_DATAGRAM_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  DISCONNECT_AFTER_INTERVALS,
  DISCOVERY_PORT,
  FRAME_HEADER_BYTES,
  MAX_CHANNEL_NAME_BYTES,
  MAX_CONFIGURED_PEER_ID_LENGTH,
  MAX_SUCCESSORS,
  DEFAULT_FLOOD_RATE,
  DEFAULT_FLOOD_BURST,
  MAX_LIST_COUNT,
  MULTICAST_GROUP_V4,
  MULTICAST_GROUP_V6,
  MULTICAST_TTL,
  SERVER_CHANNELS_OPTION,
  SERVER_INVITE_OPTION,
  SERVER_OPTION,
  SERVER_PORT_MAX,
  SERVER_PORT_MIN,
} from './constants.js';
export { CodecError, type CodecErrorCode } from './errors.js';
export type {
  ClientCommand,
  Command,
  Decoded,
  Direction,
  ErrorCommand,
  ExitCommand,
  InviteCommand,
  JoinCommand,
  PduOption,
  PeerPdu,
  SayCommand,
  ServerCommand,
  ServerMembership,
  ServerSayCommand,
  StandbyCommand,
} from './types.js';
export { ADMITTED_MARKER, MAX_ADMITTED_FIELD_BYTES, chunkAdmitted } from './admitted-field.js';
export { encodeFrame } from './encode-frame.js';
export { utf8Length, writeUtf8 } from './utf8.js';
export { decodeBody } from './decode-body.js';
export { FrameDecoder, clientSideDecoder, serverSideDecoder, type FrameDecoderInit, type LengthByteOrder } from './frame-decoder.js';
export { decodePdu, encodePdu, type DecodePduOptions, type EncodePduOptions } from './pdu.js';
export { encodePdus, splitPdu, type LeftOutEntry, type SplitPduOptions } from './split-pdu.js';
export { compareIds, isPrivateChannel, isPublicChannel, isValidChannelName, isValidConfiguredPeerId, isValidPeerId } from './names.js';
// Test support: seeded hostile input for fuzz tests of running processes (the apps' int tests).
export { below, mutatedFrame, mutatedPdu, prng, splitRandomly, type Rand } from './fuzz-inputs.js';
