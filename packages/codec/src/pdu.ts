/**
 * PeerPDU codec (docs/protocol.md §3): `peerId NUL` then options, each `u8 id` + data; counts u8,
 * ports u16 big-endian, strings NUL-terminated. Decoding never throws and never trusts a count.
 */
import {
  CLIENT_MEMBERSHIP_OPTION,
  CLIENT_NICK_OPTION,
  DEFAULT_MAX_DATAGRAM_BYTES,
  MAX_LIST_COUNT,
  SERVER_CHANNELS_OPTION,
  SERVER_INVITE_OPTION,
  SERVER_OPTION,
  SERVER_PORT_MAX,
  SERVER_PORT_MIN,
} from './constants.js';
import { CodecError, type CodecErrorCode } from './errors.js';
import { inputError } from './input-error.js';
import { isPublicChannel, isValidChannelName, isValidPeerId } from './names.js';
import type { Decoded, PduOption, PeerPdu, ServerMembership } from './types.js';
import { assertField, decodeName, decodeUtf8, utf8Bytes } from './utf8.js';

/** Options of decodePdu. */
export interface DecodePduOptions {
  /**
   * Largest accepted datagram in bytes.
   * @default DEFAULT_MAX_DATAGRAM_BYTES (1,400)
   */
  readonly maxDatagramBytes?: number;
  /**
   * Read a SERVER_OPTION port little-endian when only that byte order is in 49152–65535 (older
   * Python peers, docs/protocol.md "Little-endian port").
   * @default true
   */
  readonly legacy?: boolean;
  /**
   * Accept an empty peer ID (`NUL` first) as `peerId: ''` instead of dropping the datagram
   * `BAD_NAME`: the draft authors' Java server announces one on a machine without a MAC address
   * (docs/protocol.md §7.6). The caller must then identify the sender some other way.
   * @default false
   */
  readonly emptyPeerId?: boolean;
  /**
   * Accept a private channel in SERVER_INVITE: a PDU delivered by TCP to one invitee, never one
   * that was multicast (docs/protocol.md §3.8, §8).
   * @default false
   */
  readonly privateInvites?: boolean;
}

/** Options of encodePdu. */
export interface EncodePduOptions {
  /** Allow a private channel in SERVER_INVITE, for a PDU delivered by TCP to one invitee (docs/protocol.md §3.8). @default false */
  readonly privateInvites?: boolean;
}

// ---- encoding -------------------------------------------------------------------------------

function nameBytes(name: string, what: string, check: (s: string) => boolean): Uint8Array {
  if (!check(name)) {
    const why = typeof name === 'string' && name.startsWith('@') ? ' (private channels are never announced, docs/protocol.md §1)' : '';
    throw new CodecError('INVALID_VALUE', `${what} is invalid: ${JSON.stringify(name)}${why}`);
  }
  return utf8Bytes(name);
}

function count(n: number, what: string): number {
  if (n > MAX_LIST_COUNT) throw new CodecError('INVALID_VALUE', `${what}: ${n} entries exceed the u8 count (use splitPdu)`);
  return n;
}

/** Wire pieces of one option: numbers are single bytes, arrays are NUL-terminated strings. */
function optionParts(o: PduOption, parts: (number | Uint8Array)[], privateInvites: boolean): void {
  switch (o.type) {
    case 'CLIENT_NICK':
      assertField(o.nick, 'CLIENT_NICK nick');
      parts.push(CLIENT_NICK_OPTION, utf8Bytes(o.nick));
      return;
    case 'CLIENT_MEMBERSHIP':
      parts.push(CLIENT_MEMBERSHIP_OPTION, count(o.servers.length, 'CLIENT_MEMBERSHIP servers'));
      for (const s of o.servers) {
        parts.push(nameBytes(s.serverId, 'CLIENT_MEMBERSHIP serverId', isValidPeerId), count(s.channels.length, 'CLIENT_MEMBERSHIP channels'));
        for (const c of s.channels) parts.push(nameBytes(c, 'CLIENT_MEMBERSHIP channel', isPublicChannel));
      }
      return;
    case 'SERVER_OPTION':
      if (!Number.isInteger(o.port) || o.port < 1 || o.port > SERVER_PORT_MAX) throw new CodecError('INVALID_VALUE', `bad port ${o.port}`);
      parts.push(SERVER_OPTION, o.port >>> 8, o.port & 0xff);
      return;
    case 'SERVER_CHANNELS':
      parts.push(SERVER_CHANNELS_OPTION, count(o.channels.length, 'SERVER_CHANNELS'));
      for (const c of o.channels) parts.push(nameBytes(c, 'SERVER_CHANNELS channel', isPublicChannel));
      return;
    case 'SERVER_INVITE':
      parts.push(
        SERVER_INVITE_OPTION,
        nameBytes(o.channel, 'SERVER_INVITE channel', privateInvites ? isValidChannelName : isPublicChannel),
        count(o.clientIds.length, 'SERVER_INVITE clients'),
      );
      for (const id of o.clientIds) parts.push(nameBytes(id, 'SERVER_INVITE clientId', isValidPeerId));
      return;
    default:
      throw new CodecError('INVALID_VALUE', `unknown option type ${JSON.stringify((o as { type?: unknown }).type)}`);
  }
}

/**
 * Encode one PeerPDU as one datagram. Throws CodecError INVALID_VALUE on bad values, a private
 * channel anywhere (but in SERVER_INVITE with `privateInvites`), or a count above 255. It does not
 * enforce the datagram size: use encodePdus.
 */
export function encodePdu(pdu: PeerPdu, opts?: EncodePduOptions): Uint8Array {
  const parts: (number | Uint8Array)[] = [nameBytes(pdu.peerId, 'peerId', isValidPeerId)];
  for (const o of pdu.options) optionParts(o, parts, opts?.privateInvites === true);
  let size = 0;
  for (const p of parts) size += typeof p === 'number' ? 1 : p.length + 1;
  const out = new Uint8Array(size);
  let pos = 0;
  for (const p of parts) {
    if (typeof p === 'number') out[pos++] = p;
    else {
      out.set(p, pos);
      pos += p.length + 1; // NUL terminator: the array starts zeroed
    }
  }
  return out;
}

// ---- decoding -------------------------------------------------------------------------------

/** Thrown only inside decodePdu and caught there, to unwind from nested readers. */
class Stop {
  constructor(readonly code: CodecErrorCode, readonly message: string) {}
}

class Reader {
  pos = 0;
  /** Where the options start (after the peer ID's NUL). */
  peerIdEnd = -1;
  warning: CodecError | undefined;
  constructor(
    readonly bytes: Uint8Array,
    readonly privateInvites = false,
  ) {}
  get done(): boolean {
    return this.pos >= this.bytes.length;
  }
  u8(what: string): number {
    if (this.pos >= this.bytes.length) throw new Stop('PDU_TRUNCATED', `${what} runs past the datagram's end`);
    return this.bytes[this.pos++] as number;
  }
  /** The raw bounds of a NUL-terminated string. */
  span(what: string): [number, number] {
    const nul = this.bytes.indexOf(0, this.pos);
    if (nul === -1) throw new Stop('PDU_TRUNCATED', `${what} lacks its NUL before the datagram's end`);
    const s = this.pos;
    this.pos = nul + 1;
    return [s, nul];
  }
  name(what: string): string {
    const [s, e] = this.span(what);
    const v = decodeName(this.bytes, s, e);
    if (v === undefined || v === '') throw new Stop('BAD_NAME', `${what} is not a valid name`);
    return v;
  }
  /** A channel name; private or malformed names are skipped with a warning (docs/protocol.md §1). */
  channel(what: string): string | undefined {
    const v = this.name(what);
    if (isPublicChannel(v)) return v;
    this.warn('BAD_NAME', `${what} ${JSON.stringify(v)} is not a public channel: skipped`);
    return undefined;
  }
  warn(code: CodecErrorCode, message: string): void {
    this.warning ??= inputError(code, message);
  }
}

function readChannels(r: Reader, n: number, what: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = r.channel(what);
    if (c !== undefined) out.push(c);
  }
  return out;
}

function readPort(r: Reader, legacy: boolean): PduOption | undefined {
  const hi = r.u8('SERVER_OPTION port');
  const lo = r.u8('SERVER_OPTION port');
  const be = (hi << 8) | lo;
  const le = (lo << 8) | hi;
  const inRange = (p: number) => p >= SERVER_PORT_MIN && p <= SERVER_PORT_MAX;
  if (inRange(be)) return { type: 'SERVER_OPTION', port: be };
  // docs/protocol.md "Little-endian port": older Python peers wrote the port little-endian.
  if (legacy && inRange(le)) return { type: 'SERVER_OPTION', port: le };
  if (be === 0) throw new Stop('BAD_PORT', 'SERVER_OPTION port 0');
  r.warn('BAD_PORT', `SERVER_OPTION port ${be} is outside ${SERVER_PORT_MIN}–${SERVER_PORT_MAX}`);
  return { type: 'SERVER_OPTION', port: be };
}

function readOption(r: Reader, id: number, legacy: boolean): PduOption | undefined {
  switch (id) {
    case CLIENT_NICK_OPTION: {
      const [s, e] = r.span('CLIENT_NICK');
      const nick = decodeUtf8(r.bytes, s, e);
      if (nick === undefined) throw new Stop('BAD_UTF8', 'CLIENT_NICK is not valid UTF-8');
      return { type: 'CLIENT_NICK', nick };
    }
    case CLIENT_MEMBERSHIP_OPTION: {
      const nServers = r.u8('CLIENT_MEMBERSHIP count');
      const servers: ServerMembership[] = [];
      for (let i = 0; i < nServers; i++) {
        const serverId = r.name('CLIENT_MEMBERSHIP serverId');
        servers.push({ serverId, channels: readChannels(r, r.u8('CLIENT_MEMBERSHIP channel count'), 'CLIENT_MEMBERSHIP channel') });
      }
      return { type: 'CLIENT_MEMBERSHIP', servers };
    }
    case SERVER_OPTION:
      return readPort(r, legacy);
    case SERVER_CHANNELS_OPTION:
      return { type: 'SERVER_CHANNELS', channels: readChannels(r, r.u8('SERVER_CHANNELS count'), 'SERVER_CHANNELS channel') };
    case SERVER_INVITE_OPTION: {
      const channel = r.name('SERVER_INVITE channel');
      const n = r.u8('SERVER_INVITE count');
      const clientIds: string[] = [];
      for (let i = 0; i < n; i++) clientIds.push(r.name('SERVER_INVITE clientId'));
      if (!isPublicChannel(channel) && !(r.privateInvites && isValidChannelName(channel))) {
        r.warn('BAD_NAME', `SERVER_INVITE for ${JSON.stringify(channel)}, not a public channel: skipped`);
        return undefined;
      }
      return { type: 'SERVER_INVITE', channel, clientIds };
    }
    default:
      return undefined;
  }
}

const KNOWN_OPTIONS: ReadonlySet<number> = new Set([CLIENT_NICK_OPTION, CLIENT_MEMBERSHIP_OPTION, SERVER_OPTION, SERVER_CHANNELS_OPTION, SERVER_INVITE_OPTION]);

/**
 * The options of a datagram after its peer ID. A damaged option after at least one sound one ends
 * reading there: the sound ones are kept, the damage becomes the warning (docs/protocol.md §3.4).
 */
function readOptions(r: Reader, legacy: boolean): PduOption[] {
  const options: PduOption[] = [];
  while (!r.done) {
    const id = r.bytes[r.pos] as number;
    if (!KNOWN_OPTIONS.has(id)) {
      // Options carry no length, so nothing after an unknown id can be located (docs/protocol.md §3).
      r.warn('UNKNOWN_OPTION', `unknown option 0x${id.toString(16).padStart(2, '0')} at byte ${r.pos}: rest ignored`);
      break;
    }
    const start = r.pos++;
    try {
      const o = readOption(r, id, legacy);
      if (o !== undefined) options.push(o);
    } catch (e) {
      // The first option damaged leaves nothing known to be sound but the peer ID: drop it all.
      if (!(e instanceof Stop) || start === r.peerIdEnd) throw e;
      r.warn(e.code, `${e.message}: the options before byte ${start} are kept`);
      break;
    }
  }
  return options;
}

/** Decode one discovery datagram. Never throws; see docs/protocol.md for each error code. */
export function decodePdu(datagram: Uint8Array, opts?: DecodePduOptions): Decoded<PeerPdu> {
  const max = opts?.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES;
  const legacy = opts?.legacy ?? true;
  if (datagram.length > max) return { ok: false, error: inputError('PDU_TOO_LARGE', `datagram of ${datagram.length} bytes exceeds ${max}`) };
  const r = new Reader(datagram, opts?.privateInvites === true);
  try {
    const [s, e] = r.span('peerId');
    const peerId = decodeName(datagram, s, e);
    if (peerId === undefined || (peerId === '' && opts?.emptyPeerId !== true)) return { ok: false, error: inputError('BAD_NAME', 'peerId is not a valid peer ID') };
    r.peerIdEnd = r.pos;
    const value: PeerPdu = { peerId, options: readOptions(r, legacy) };
    return r.warning === undefined ? { ok: true, value } : { ok: true, value, warning: r.warning };
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    // The peer ID itself lacks its NUL: nothing in this datagram is usable.
    const code = e.code === 'PDU_TRUNCATED' && r.pos === 0 ? 'PDU_EMPTY' : e.code;
    return { ok: false, error: inputError(code, e.message) };
  }
}
