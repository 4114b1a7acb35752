/** Malformed frames and PDUs for the hostile host (docs/protocol.md §2–3: receivers must survive them). */
import { encodeFrame, encodePdu } from '@ims/codec';

/** A tiny deterministic PRNG, so a failing flood can be replayed from its seed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

const randomBytes = (rand: () => number, n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));

/** One malformed discovery datagram. */
export function garbagePdu(rand: () => number): Uint8Array {
  const valid = encodePdu({ peerId: `hostile-${Math.floor(rand() * 1e6)}`, options: [{ type: 'SERVER_OPTION', port: 50_000 }, { type: 'SERVER_CHANNELS', channels: ['#hostile'] }] });
  switch (Math.floor(rand() * 5)) {
    case 0:
      return randomBytes(rand, 1 + Math.floor(rand() * 200));
    case 1:
      return valid.slice(0, Math.max(1, Math.floor(rand() * valid.length))); // truncated inside an option
    case 2:
      return Uint8Array.from([...valid.slice(0, valid.indexOf(0) + 1), 0x11, 0xff, 0x23]); // count beyond the end
    case 3:
      return Uint8Array.from([...valid, 0x7f, 1, 2, 3]); // unknown option id
    default:
      return new Uint8Array(0);
  }
}

/** One malformed TCP chunk. `fatal` ones make a correct server close the connection. */
export function garbageFrame(rand: () => number): { bytes: Uint8Array; fatal: boolean } {
  const body = (s: string): Uint8Array => new TextEncoder().encode(s);
  const frame = (b: Uint8Array): Uint8Array => {
    const out = new Uint8Array(4 + b.length);
    new DataView(out.buffer).setUint32(0, b.length);
    out.set(b, 4);
    return out;
  };
  switch (Math.floor(rand() * 6)) {
    case 0:
      return { bytes: Uint8Array.from([0xff, 0xff, 0xff, 0xff, 1, 2]), fatal: true }; // oversize length
    case 1:
      return { bytes: frame(body('BOGUS\0x\0')), fatal: false };
    case 2:
      return { bytes: frame(Uint8Array.from([0x53, 0x41, 0x59, 0, 0xc3, 0x28, 0])), fatal: false }; // SAY, bad UTF-8
    case 3:
      return { bytes: frame(body('JOIN\0')), fatal: false }; // missing channel
    case 4:
      return { bytes: frame(new Uint8Array(0)), fatal: false };
    default:
      return { bytes: encodeFrame({ cmd: 'SAY', text: 'not joined' }), fatal: false };
  }
}
