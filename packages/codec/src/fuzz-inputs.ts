/**
 * Seeded generators of hostile input for fuzz tests of running processes (docs/protocol.md §6:
 * receivers survive anything): valid JOIN, SAY, INVITE and EXIT frames and valid PeerPDUs, then
 * mutated (bytes flipped, cut short, lengths made oversize or wrong, NULs dropped, bad UTF-8,
 * frames glued together), or random bytes. Everything comes from one PRNG, so a seed replays a
 * run. Test support only: nothing in ims sends these.
 */
import { encodeFrame } from './encode-frame.js';
import { encodePdu } from './pdu.js';
import type { ClientCommand, PeerPdu } from './types.js';

/** A uniform float in [0, 1). */
export type Rand = () => number;

/** A deterministic PRNG (mulberry32). */
export function prng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An integer in [0, n) from `rand`. */
export const below = (rand: Rand, n: number): number => Math.floor(rand() * n);
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[below(rand, xs.length)] as T;
const randomBytes = (rand: Rand, n: number): Uint8Array => Uint8Array.from({ length: n }, () => below(rand, 256));

/** Text of every kind the wire may carry: ASCII, multi-byte UTF-8, long runs. */
function text(rand: Rand): string {
  const parts = ['x', 'é', '日本', '🙂', ' ', 'SAY', '#', '@', '\u0001', 'a'.repeat(1 + below(rand, 300))];
  let s = '';
  for (let i = below(rand, 12); i >= 0; i--) s += pick(rand, parts);
  return s;
}

/** One valid client command; channels and IDs are the attacker's own (never an honest member's ID). */
function validCommand(rand: Rand, channels: readonly string[]): ClientCommand {
  const id = `fz-${below(rand, 1_000)}`;
  switch (below(rand, 6)) {
    case 0:
    case 1:
      return { cmd: 'JOIN', channel: pick(rand, channels), clientId: id };
    case 2:
    case 3:
      return { cmd: 'SAY', text: text(rand) };
    case 4:
      return { cmd: 'INVITE', clientIds: Array.from({ length: 1 + below(rand, 80) }, (_, i) => `fz-${i}-${below(rand, 100)}`) };
    default:
      return { cmd: 'EXIT' };
  }
}

/** `body` behind its u32 big-endian length. */
function framed(body: Uint8Array): Uint8Array {
  return withLength(concat([new Uint8Array(4), body]), body.length);
}

/** Rewrites a frame's u32 length field (a copy). */
function withLength(frame: Uint8Array, length: number): Uint8Array {
  const out = frame.slice();
  if (out.length >= 4) new DataView(out.buffer, out.byteOffset).setUint32(0, length >>> 0);
  return out;
}

/** One chunk of hostile TCP bytes: a valid frame mutated, or garbage. */
export function mutatedFrame(rand: Rand, channels: readonly string[]): Uint8Array {
  const valid = encodeFrame(validCommand(rand, channels));
  const body = valid.length - 4;
  switch (below(rand, 10)) {
    case 0:
      return valid;
    case 1: {
      const out = valid.slice();
      for (let k = 1 + below(rand, 4); k > 0; k--) out[below(rand, out.length)] = below(rand, 256);
      return out;
    }
    case 2:
      return valid.slice(0, below(rand, valid.length)); // cut short: the next bytes continue it
    case 3:
      return withLength(valid, 65_537 + below(rand, 0xffff_0000)); // oversize: fatal, the host closes
    case 4:
      return withLength(valid, Math.max(0, body + below(rand, 9) - 4)); // a length a few bytes off
    case 5:
      return randomBytes(rand, 1 + below(rand, 200));
    case 6:
      return framed(valid.subarray(4).filter((b) => b !== 0 || rand() < 0.5)); // NULs dropped, length right
    case 7: {
      const out = valid.slice();
      out[4 + below(rand, Math.max(1, body))] = pick(rand, [0xc3, 0xff, 0xed, 0x80]); // bad UTF-8
      return out;
    }
    case 8:
      return rand() < 0.5 ? withLength(new Uint8Array(4), 0) : framed(new TextEncoder().encode(`JOIN\0#${'n'.repeat(1_500)}\0`)); // empty; a 1,500-byte name
    default:
      return concat([valid, encodeFrame(validCommand(rand, channels)), encodeFrame(validCommand(rand, channels))]);
  }
}

/** Joins byte arrays. */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Splits bytes at random points (a stream delivered in odd pieces). */
export function splitRandomly(rand: Rand, bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const n = 1 + below(rand, Math.max(1, Math.min(bytes.length - at, rand() < 0.3 ? 3 : 4_096)));
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** A random valid PeerPDU under `peerId`. */
function validPdu(rand: Rand, peerId: string): PeerPdu {
  const options: PeerPdu['options'][number][] = [];
  if (rand() < 0.5) options.push({ type: 'CLIENT_NICK', nick: Array.from(text(rand)).slice(0, 40).join('') || 'n' });
  if (rand() < 0.4) options.push({ type: 'SERVER_OPTION', port: 49_152 + below(rand, 16_000) });
  if (rand() < 0.4) options.push({ type: 'SERVER_CHANNELS', channels: Array.from({ length: below(rand, 20) }, (_, i) => `#fz${i}`) });
  if (rand() < 0.3) options.push({ type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: `fz-srv-${below(rand, 10)}`, channels: ['#fz0'] }] });
  if (rand() < 0.2) options.push({ type: 'SERVER_INVITE', channel: '#fz1', clientIds: [`fz-${below(rand, 10)}`] });
  return { peerId, options };
}

/**
 * One hostile datagram. `forge` lists IDs a forger may claim (the honest peers', when the source
 * address is not theirs) and `samples` real PDUs to mutate; without them only random IDs are used.
 */
export function mutatedPdu(rand: Rand, forge: readonly string[], samples: readonly Uint8Array[]): Uint8Array {
  const id = forge.length > 0 && rand() < 0.5 ? pick(rand, forge) : `fz-peer-${below(rand, 10_000)}`;
  const valid = encodePdu(validPdu(rand, id));
  const base = forge.length > 0 && samples.length > 0 && rand() < 0.5 ? pick(rand, samples) : valid;
  switch (below(rand, 8)) {
    case 0:
      return valid;
    case 1: {
      const out = base.slice();
      for (let k = 1 + below(rand, 4); k > 0; k--) out[below(rand, out.length)] = below(rand, 256);
      return out;
    }
    case 2:
      return base.slice(0, below(rand, base.length));
    case 3:
      return concat([base, randomBytes(rand, 1 + below(rand, 40))]); // trailing garbage, unknown options
    case 4:
      return randomBytes(rand, below(rand, 300));
    case 5:
      return randomBytes(rand, 1_401 + below(rand, 2_000)); // over the datagram limit
    case 6:
      return encodePdu({ peerId: id, options: [] }); // a forged empty PDU
    default:
      return encodePdu({ peerId: id, options: [{ type: 'SERVER_OPTION', port: 49_152 + below(rand, 16_000) }] }); // another endpoint
  }
}
