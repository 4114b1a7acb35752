// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- global declarations (no module) cannot be imported; this makes every program that compiles the codec see them
/// <reference path="./text-globals.d.ts" />
/**
 * UTF-8 and ASCII helpers shared by the frame and PDU codecs. Fast paths for ASCII keep decoding
 * close to a bare split loop (see tools/bench/suites/codec.ts).
 */
import { CodecError } from './errors.js';

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });
// With the u flag a surrogate *pair* is one code point, so this only matches lone surrogates,
// which UTF-8 cannot carry (TextEncoder would silently turn them into U+FFFD).
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** UTF-8 bytes of a string. */
export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/**
 * Writes `s` as UTF-8 into `out` at `pos` and returns the position after it; `out` must have room
 * for `utf8Length(s)` bytes. ASCII is copied by hand: for the short fields of a frame that beats
 * TextEncoder's per-call cost and the allocation `utf8Bytes` makes.
 */
export function writeUtf8(s: string, out: Uint8Array, pos: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return pos + i + encoder.encodeInto(s.slice(i), out.subarray(pos + i)).written;
    out[pos + i] = c;
  }
  return pos + n;
}

/** Byte length of a string in UTF-8, without allocating. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Throws INVALID_VALUE unless `s` can be one NUL-terminated wire field (no NUL, no lone surrogate). */
export function assertField(s: string, what: string): void {
  if (typeof s !== 'string') throw new CodecError('INVALID_VALUE', `${what} must be a string`);
  if (s.includes('\0')) throw new CodecError('INVALID_VALUE', `${what} contains a NUL byte`);
  if (LONE_SURROGATE.test(s)) throw new CodecError('INVALID_VALUE', `${what} contains a lone surrogate`);
}

/**
 * Decode bytes[start, end) as UTF-8; `undefined` when they are not valid UTF-8.
 * ASCII is decoded without TextDecoder because its per-call cost dominates short fields.
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string | undefined {
  const len = end - start;
  if (len <= 128) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if ((bytes[i] as number) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  try {
    return strictDecoder.decode(bytes.subarray(start, end));
  } catch (cause) {
    // A TypeError from the fatal decoder is the answer we asked for, not a failure: the caller
    // turns `undefined` into a BAD_UTF8 result.
    if (cause instanceof TypeError) return undefined;
    throw cause;
  }
}

/**
 * Decode bytes[start, end) as a name (channel or peer ID): visible ASCII 0x21–0x7E only;
 * `undefined` otherwise.
 */
export function decodeName(bytes: Uint8Array, start: number, end: number): string | undefined {
  for (let i = start; i < end; i++) {
    const b = bytes[i] as number;
    if (b < 0x21 || b > 0x7e) return undefined;
  }
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}
