/**
 * PDU splitting (docs/protocol.md §3): a PeerPDU too large for one datagram, or with a count above 255,
 * becomes several PDUs that each stand alone: every piece repeats the peer ID and the scalar
 * options (CLIENT_NICK, SERVER_OPTION); list entries are spread over the pieces, none lost or repeated.
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
export function splitPdu(pdu: PeerPdu, opts?: SplitPduOptions): PeerPdu[] {
  const max = opts?.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES;
  validate(pdu);
  const whole = str(pdu.peerId) + pdu.options.reduce((a, o) => a + optionSize(o), 0);
  if (whole <= max && pdu.options.every(withinCounts)) return [pdu];

  const scalars = pdu.options.filter((o) => o.type === 'CLIENT_NICK' || o.type === 'SERVER_OPTION');
  const base = str(pdu.peerId) + scalars.reduce((a, o) => a + optionSize(o), 0);
  if (base > max) throw new CodecError('INVALID_VALUE', `peer ID and scalar options need ${base} bytes, over the ${max}-byte datagram`);
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
  return splitPdu(pdu, opts).map(encodePdu);
}
