/**
 * PDU splitting (docs/protocol.md §3): a PeerPDU too large for one datagram, or with a count above 255,
 * becomes several PDUs that each stand alone: every piece repeats the peer ID and the scalar
 * options (CLIENT_NICK, SERVER_OPTION); list entries are spread over the pieces, none lost or repeated.
 * An entry that fits in no piece throws, unless the caller asks for it to be left out (`onLeftOut`).
 */
import { DEFAULT_MAX_DATAGRAM_BYTES, MAX_LIST_COUNT } from './constants.js';
import { CodecError } from './errors.js';
import { encodePdu } from './pdu.js';
import type { PduOption, PeerPdu, ServerMembership } from './types.js';
import { utf8Length } from './utf8.js';

/** Options of splitPdu and encodePdus. */
export interface SplitPduOptions {
  /**
   * Largest datagram a piece may encode to.
   * @default DEFAULT_MAX_DATAGRAM_BYTES (1,400)
   */
  readonly maxDatagramBytes?: number;
  /**
   * When set, an entry that cannot fit in a datagram even alone beside the peer ID and the scalars
   * is left out and reported here, instead of making the whole PDU throw INVALID_VALUE
   * (docs/protocol.md §3.6): an announcer must not go silent because of one entry.
   * @default undefined (throw)
   */
  readonly onLeftOut?: (entry: LeftOutEntry) => void;
}

/** An entry splitPdu left out because it fits in no datagram (see SplitPduOptions.onLeftOut). */
export interface LeftOutEntry {
  /** The list option it belonged to. */
  readonly option: 'SERVER_CHANNELS' | 'SERVER_INVITE' | 'CLIENT_MEMBERSHIP';
  /** The channel name or clientId left out (for a whole SERVER_INVITE: its channel). */
  readonly value: string;
  /** Bytes the smallest piece carrying it would need. */
  readonly bytes: number;
}

/** Wire size of a NUL-terminated string. */
const str = (s: string): number => utf8Length(s) + 1;
/** Option id byte plus u8 count. */
const LIST_HEAD = 2;

function optionSize(o: PduOption): number {
  switch (o.type) {
    case 'CLIENT_NICK': return 1 + str(o.nick);
    case 'SERVER_OPTION': return 3;
    case 'SERVER_CHANNELS': return LIST_HEAD + o.channels.reduce((a, c) => a + str(c), 0);
    case 'SERVER_INVITE': return LIST_HEAD + str(o.channel) + o.clientIds.reduce((a, c) => a + str(c), 0);
    case 'CLIENT_MEMBERSHIP': return LIST_HEAD + o.servers.reduce((a, s) => a + str(s.serverId) + 1 + s.channels.reduce((b, c) => b + str(c), 0), 0);
  }
}

function withinCounts(o: PduOption): boolean {
  if (o.type === 'SERVER_CHANNELS') return o.channels.length <= MAX_LIST_COUNT;
  if (o.type === 'SERVER_INVITE') return o.clientIds.length <= MAX_LIST_COUNT;
  if (o.type === 'CLIENT_MEMBERSHIP') return o.servers.length <= MAX_LIST_COUNT && o.servers.every((s) => s.channels.length <= MAX_LIST_COUNT);
  return true;
}

/** Every name and value checked by the encoder's own rules, one entry at a time (counts aside). */
function validate(pdu: PeerPdu): void {
  for (const o of pdu.options) {
    const parts: PduOption[] =
      o.type === 'SERVER_CHANNELS' ? o.channels.map((c) => ({ type: o.type, channels: [c] }))
      : o.type === 'SERVER_INVITE' ? [{ ...o, clientIds: [] }, ...o.clientIds.map((id) => ({ ...o, clientIds: [id] }))]
      : o.type === 'CLIENT_MEMBERSHIP' ? o.servers.flatMap((s) => [{ s, c: [] as string[] }, ...s.channels.map((c) => ({ s, c: [c] }))]).map(({ s, c }) => ({ type: o.type, servers: [{ serverId: s.serverId, channels: c }] }))
      : [o];
    for (const p of parts) encodePdu({ peerId: pdu.peerId, options: [p] });
  }
  encodePdu({ peerId: pdu.peerId, options: [] });
}

/**
 * The PDU without the entries that fit in no piece (each reported). A CLIENT_MEMBERSHIP server
 * left with no channel and a SERVER_INVITE left with no clientId go too: an empty server entry
 * would betray a private membership (docs/protocol.md §3.5), an empty invitation invites nobody.
 */
function leaveOutUnfit(pdu: PeerPdu, base: number, max: number, report: (entry: LeftOutEntry) => void): PeerPdu {
  const keep = (option: LeftOutEntry['option'], head: number) => (value: string): boolean => {
    const bytes = base + LIST_HEAD + head + str(value);
    if (bytes <= max) return true;
    report({ option, value, bytes });
    return false;
  };
  const options: PduOption[] = [];
  for (const o of pdu.options) {
    if (o.type === 'SERVER_CHANNELS') {
      const channels = o.channels.filter(keep(o.type, 0));
      if (channels.length > 0 || o.channels.length === 0) options.push({ ...o, channels });
    } else if (o.type === 'SERVER_INVITE') {
      const head = str(o.channel);
      if (base + LIST_HEAD + head > max) {
        report({ option: o.type, value: o.channel, bytes: base + LIST_HEAD + head });
        continue;
      }
      const clientIds = o.clientIds.filter(keep(o.type, head));
      if (clientIds.length > 0 || o.clientIds.length === 0) options.push({ ...o, clientIds });
    } else if (o.type === 'CLIENT_MEMBERSHIP') {
      const servers = o.servers.map((s) => ({ serverId: s.serverId, channels: s.channels.filter(keep(o.type, str(s.serverId) + 1)), had: s.channels.length }));
      options.push({ ...o, servers: servers.filter((s) => s.channels.length > 0 || s.had === 0).map(({ serverId, channels }) => ({ serverId, channels })) });
    } else options.push(o);
  }
  return { peerId: pdu.peerId, options };
}

/** Fills pieces in order; each starts with the peer ID and the scalar options. */
class Packer {
  readonly pieces: { size: number; options: PduOption[] }[] = [];
  private cur!: { size: number; options: PduOption[] };
  constructor(private readonly base: number, private readonly scalars: readonly PduOption[], private readonly max: number) {
    this.next();
  }
  next(): void {
    this.cur = { size: this.base, options: [...this.scalars] };
    this.pieces.push(this.cur);
  }
  fits(bytes: number): boolean {
    return this.cur.size + bytes <= this.max;
  }
  /** Start a new piece if forced or if `bytes` do not fit; throws if they fit in no piece. */
  ensure(bytes: number, force: boolean, what: string): void {
    if (force || !this.fits(bytes)) this.next();
    if (!this.fits(bytes)) throw new CodecError('INVALID_VALUE', `${what} cannot fit in a ${this.max}-byte datagram`);
  }
  add(bytes: number, option?: PduOption): void {
    this.cur.size += bytes;
    if (option) this.cur.options.push(option);
  }
}

/** Spread one flat list option (SERVER_CHANNELS or SERVER_INVITE) over pieces. */
function packFlat(p: Packer, items: readonly string[], head: number, make: () => { items: string[]; option: PduOption }, what: string): void {
  let open: string[] | undefined;
  const start = (firstNeed: number, force: boolean): void => {
    p.ensure(head + firstNeed, force, what);
    const m = make();
    open = m.items;
    p.add(head, m.option);
  };
  if (items.length === 0) start(0, false);
  for (const item of items) {
    const need = str(item);
    if (open === undefined) start(need, false);
    else if (open.length === MAX_LIST_COUNT || !p.fits(need)) start(need, true);
    (open as string[]).push(item);
    p.add(need);
  }
}

/** Spread CLIENT_MEMBERSHIP over pieces; a server whose channels span pieces is named in each. */
function packMembership(p: Packer, servers: readonly ServerMembership[]): void {
  let opt: { type: 'CLIENT_MEMBERSHIP'; servers: ServerMembership[] } | undefined;
  let entry: string[] = [];
  const startOption = (bytes: number, force: boolean, what: string): void => {
    p.ensure(LIST_HEAD + bytes, force, what);
    opt = { type: 'CLIENT_MEMBERSHIP', servers: [] };
    p.add(LIST_HEAD, opt);
  };
  const startEntry = (serverId: string, firstNeed: number, forceNew: boolean): void => {
    const eh = str(serverId) + 1;
    if (forceNew || opt === undefined || opt.servers.length === MAX_LIST_COUNT || !p.fits(eh + firstNeed)) {
      startOption(eh + firstNeed, forceNew || opt !== undefined, `CLIENT_MEMBERSHIP entry for ${serverId}`);
    }
    entry = [];
    opt?.servers.push({ serverId, channels: entry });
    p.add(eh);
  };
  if (servers.length === 0) startOption(0, false, 'CLIENT_MEMBERSHIP');
  for (const s of servers) {
    startEntry(s.serverId, s.channels[0] === undefined ? 0 : str(s.channels[0]), false);
    for (const c of s.channels) {
      const need = str(c);
      if (entry.length === MAX_LIST_COUNT || !p.fits(need)) startEntry(s.serverId, need, true);
      entry.push(c);
      p.add(need);
    }
  }
}

/** Split a PeerPDU into stand-alone pieces within the datagram size and the u8 counts. Throws INVALID_VALUE if an entry fits in no datagram. */
export function splitPdu(input: PeerPdu, opts?: SplitPduOptions): PeerPdu[] {
  const max = opts?.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES;
  validate(input);
  const whole = str(input.peerId) + input.options.reduce((a, o) => a + optionSize(o), 0);
  if (whole <= max && input.options.every(withinCounts)) return [input];

  const scalars = input.options.filter((o) => o.type === 'CLIENT_NICK' || o.type === 'SERVER_OPTION');
  const base = str(input.peerId) + scalars.reduce((a, o) => a + optionSize(o), 0);
  if (base > max) throw new CodecError('INVALID_VALUE', `peer ID and scalar options need ${base} bytes, over the ${max}-byte datagram`);
  const pdu = opts?.onLeftOut === undefined ? input : leaveOutUnfit(input, base, max, opts.onLeftOut);
  const p = new Packer(base, scalars, max);
  for (const o of pdu.options) {
    if (o.type === 'SERVER_CHANNELS') {
      packFlat(p, o.channels, LIST_HEAD, () => {
        const option = { type: 'SERVER_CHANNELS' as const, channels: [] as string[] };
        return { items: option.channels, option };
      }, 'SERVER_CHANNELS');
    } else if (o.type === 'SERVER_INVITE') {
      packFlat(p, o.clientIds, LIST_HEAD + str(o.channel), () => {
        const option = { type: 'SERVER_INVITE' as const, channel: o.channel, clientIds: [] as string[] };
        return { items: option.clientIds, option };
      }, `SERVER_INVITE for ${o.channel}`);
    } else if (o.type === 'CLIENT_MEMBERSHIP') {
      packMembership(p, o.servers);
    }
  }
  // The first piece is left with only the scalars when the first list did not fit beside them.
  const pieces = p.pieces.filter((x) => x.options.length > scalars.length);
  return (pieces.length > 0 ? pieces : p.pieces).map((x) => ({ peerId: pdu.peerId, options: x.options }));
}

/** Split (see splitPdu) and encode: one datagram per piece, each within maxDatagramBytes. */
export function encodePdus(pdu: PeerPdu, opts?: SplitPduOptions): Uint8Array[] {
  return splitPdu(pdu, opts).map((p) => encodePdu(p));
}
