/**
 * Incremental frame decoder for one TCP connection (docs/protocol.md §2). Keeps the partial frame
 * between `push` calls (like libp2p's `Decoder.write`), copies each byte at most once, decodes
 * frames that arrive whole straight from the chunk, and caps what it buffers by the frame limit.
 * Legacy dialects (docs/protocol.md "Legacy dialects") are recognised when `legacy` is on.
 */
import { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES } from './constants.js';
import { decodeBody } from './decode-body.js';
import { CodecError } from './errors.js';
import { inputError } from './input-error.js';
import type { ClientCommand, Command, Decoded, Direction, ServerCommand } from './types.js';

/** Options of a FrameDecoder. */
export interface FrameDecoderInit {
  /** Which side reads: `'toServer'` decodes ClientCommands, `'toClient'` ServerCommands. */
  readonly direction: Direction;
  /**
   * Largest accepted body in bytes, checked from the length field before any body is buffered.
   * @default DEFAULT_MAX_FRAME_BYTES (65,536)
   */
  readonly maxFrameBytes?: number;
  /**
   * Accept the legacy dialects: little-endian length (detected on the first frame, then locked)
   * and the Java UTF-16-unit length. A body without its final NUL is always accepted.
   * @default true
   */
  readonly legacy?: boolean;
}

/** Byte order of the length prefix as decided on a connection's first frame. */
export type LengthByteOrder = 'unknown' | 'big-endian' | 'little-endian';

/** Largest body buffer kept between frames. */
const RETAINED_BUFFER_BYTES = 4_096;

const enum Phase {
  Header,
  Body,
}

/** The body buffer of a decoder between frames: shared, nothing is ever written into a 0-byte buffer. */
const EMPTY = new Uint8Array(0);

/**
 * Decodes a byte stream into commands; bad input yields `{ ok: false }` items, never a throw.
 * The constructor throws INVALID_VALUE only for a bad `maxFrameBytes` (a caller's bug).
 */
export class FrameDecoder<C extends Command = Command> {
  private readonly direction: Direction;
  private readonly max: number;
  private readonly legacy: boolean;
  private order: LengthByteOrder = 'unknown';
  private poisoned = false;
  private phase = Phase.Header;
  /** A header split over chunks, made on first need: a server holds thousands of idle decoders. */
  private head: Uint8Array | undefined;
  private headFill = 0;
  private body: Uint8Array = EMPTY;
  private bodyFill = 0;
  /** Bytes the current body needs in all: the length field, or more for a Java frame. */
  private bodyNeed = 0;
  private lengthField = 0;
  /** Java dialect walk over the body: next lead byte and UTF-16 units covered so far (-1: not Java). */
  private javaPos = -1;
  private javaUnits = 0;

  constructor(init: FrameDecoderInit) {
    this.direction = init.direction;
    this.max = init.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.legacy = init.legacy ?? true;
    if (!Number.isInteger(this.max) || this.max < 1 || this.max > 0xffffffff) {
      throw new CodecError('INVALID_VALUE', `maxFrameBytes must be an integer in 1..2^32-1, got ${this.max}`);
    }
  }

  /** Bytes held for an incomplete frame; never more than header + maxFrameBytes. */
  get bufferedBytes(): number {
    return this.phase === Phase.Body ? FRAME_HEADER_BYTES + this.bodyFill : this.headFill;
  }

  /** True once a fatal error was returned (close the connection) or `end()` was called; push then returns nothing. */
  get isPoisoned(): boolean {
    return this.poisoned;
  }

  /** Byte order of the length prefix, locked on the first frame. */
  get byteOrder(): LengthByteOrder {
    return this.order;
  }

  /** Feed the next chunk; returns every frame it completed, in order. */
  push(chunk: Uint8Array): Decoded<C>[] {
    const out: Decoded<C>[] = [];
    let pos = 0;
    const n = chunk.length;
    while (pos < n && !this.poisoned) {
      if (this.phase === Phase.Header) {
        if (this.headFill === 0 && n - pos >= FRAME_HEADER_BYTES) {
          pos = this.fromChunk(chunk, pos, out);
          continue;
        }
        const take = Math.min(FRAME_HEADER_BYTES - this.headFill, n - pos);
        const head = (this.head ??= new Uint8Array(FRAME_HEADER_BYTES));
        head.set(chunk.subarray(pos, pos + take), this.headFill);
        this.headFill += take;
        pos += take;
        if (this.headFill === FRAME_HEADER_BYTES) {
          this.headFill = 0;
          if (!this.startFrame(head, 0, out)) break;
          if (this.bodyNeed === 0) this.finish(EMPTY, out);
          else this.phase = Phase.Body;
        }
      } else {
        pos = this.fillBody(chunk, pos, out);
      }
    }
    return out;
  }

  /** The stream ended: reports FRAME_TRUNCATED if a frame was cut off, and accepts nothing more. */
  end(): Decoded<C>[] {
    if (this.poisoned) return [];
    const held = this.bufferedBytes;
    this.poison();
    if (held === 0) return [];
    return [{ ok: false, error: inputError('FRAME_TRUNCATED', `stream ended inside a frame (${held} bytes held)`, true) }];
  }

  private poison(): void {
    this.poisoned = true;
    this.phase = Phase.Header;
    this.headFill = 0;
    this.body = EMPTY;
    this.bodyFill = 0;
  }

  /** Read a length prefix; false (and poisoned) when it exceeds the limit. */
  private startFrame(h: Uint8Array, at: number, out: Decoded<C>[]): boolean {
    const b0 = h[at] as number;
    const b1 = h[at + 1] as number;
    const b2 = h[at + 2] as number;
    const b3 = h[at + 3] as number;
    let len: number;
    if (this.order === 'unknown') {
      const be = ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
      const le = ((b3 << 24) | (b2 << 16) | (b1 << 8) | b0) >>> 0;
      // docs/protocol.md "Little-endian length": only a first length that is too large read
      // big-endian but fits read little-endian switches the connection to little-endian.
      this.order = this.legacy && be > this.max && le > 0 && le <= this.max ? 'little-endian' : 'big-endian';
      len = this.order === 'little-endian' ? le : be;
    } else if (this.order === 'little-endian') {
      len = ((b3 << 24) | (b2 << 16) | (b1 << 8) | b0) >>> 0;
    } else {
      len = ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
    }
    if (len > this.max) {
      this.poison();
      out.push({ ok: false, error: inputError('FRAME_TOO_LARGE', `frame of ${len} bytes exceeds the limit of ${this.max}`, true) });
      return false;
    }
    this.lengthField = len;
    this.bodyNeed = len;
    this.javaPos = -1;
    this.javaUnits = 0;
    return true;
  }

  /** Fast path: a header is available in the chunk; decode without copying if the body is there too. */
  private fromChunk(chunk: Uint8Array, pos: number, out: Decoded<C>[]): number {
    if (!this.startFrame(chunk, pos, out)) return chunk.length;
    const start = pos + FRAME_HEADER_BYTES;
    const len = this.lengthField;
    const end = start + len;
    if (end <= chunk.length) {
      if (!this.javaCandidate(chunk, start, end)) {
        this.finish(chunk.subarray(start, end), out);
        return end;
      }
      this.javaPos = 0;
      const need = this.javaWalk(chunk, start, chunk.length, out);
      if (need < 0) return chunk.length;
      if (start + need <= chunk.length && this.javaUnits >= len) {
        this.finish(chunk.subarray(start, start + need), out);
        return start + need;
      }
    }
    // The body continues in a later chunk: buffer it.
    this.phase = Phase.Body;
    this.allocBody(Math.max(this.bodyNeed, len));
    return this.fillBody(chunk, start, out);
  }

  private allocBody(size: number): void {
    const grown = new Uint8Array(Math.min(size, this.max));
    grown.set(this.body.subarray(0, this.bodyFill));
    this.body = grown;
  }

  /** Slow path: copy into the body buffer until the frame is complete. */
  private fillBody(chunk: Uint8Array, pos: number, out: Decoded<C>[]): number {
    while (pos < chunk.length) {
      if (this.body.length < this.bodyNeed) this.allocBody(Math.max(this.bodyNeed, 2 * this.body.length));
      const take = Math.min(this.bodyNeed - this.bodyFill, chunk.length - pos);
      this.body.set(chunk.subarray(pos, pos + take), this.bodyFill);
      this.bodyFill += take;
      pos += take;
      if (this.bodyFill < this.bodyNeed) return pos;
      if (this.javaPos < 0 && this.bodyFill === this.lengthField && this.javaCandidate(this.body, 0, this.bodyFill)) this.javaPos = 0;
      if (this.javaPos >= 0) {
        if (this.javaWalk(this.body, 0, this.bodyFill, out) < 0) return chunk.length;
        if (this.bodyFill < this.bodyNeed) continue;
      }
      const body = this.body.subarray(0, this.bodyFill);
      this.phase = Phase.Header;
      this.bodyFill = 0;
      this.finish(body, out);
      // Keep a small buffer for reuse; drop a large one, so an idle connection that once got a
      // big frame does not hold up to maxFrameBytes for its whole life.
      if (this.body.length > RETAINED_BUFFER_BYTES) this.body = EMPTY;
      return pos;
    }
    return pos;
  }

  /**
   * docs/protocol.md "Java length": strict senders end every body with NUL, so a body that does
   * not, and holds non-ASCII bytes, had its length counted in UTF-16 units by the Java peer.
   */
  private javaCandidate(bytes: Uint8Array, start: number, end: number): boolean {
    if (!this.legacy || end === start || bytes[end - 1] === 0) return false;
    for (let i = start; i < end; i++) if ((bytes[i] as number) >= 0x80) return true;
    return false;
  }

  /**
   * Advance the Java walk over bytes[base + javaPos, limit): each UTF-8 lead byte is one UTF-16 unit,
   * two for a 4-byte sequence. Sets bodyNeed to the bytes needed so far; -1 and poisoned if the
   * body would exceed the limit.
   */
  private javaWalk(bytes: Uint8Array, base: number, limit: number, out: Decoded<C>[]): number {
    const units = this.lengthField;
    let p = this.javaPos;
    let u = this.javaUnits;
    while (u < units && base + p < limit) {
      const lead = bytes[base + p] as number;
      const seq = lead < 0xc0 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
      u += seq === 4 ? 2 : 1;
      p += seq;
    }
    this.javaPos = p;
    this.javaUnits = u;
    // Complete: p bytes. Incomplete: at least one more lead byte is needed.
    this.bodyNeed = u >= units ? p : p + 1;
    if (this.bodyNeed > this.max) {
      this.poison();
      out.push({ ok: false, error: inputError('FRAME_TOO_LARGE', `Java-dialect frame needs over ${this.max} bytes`, true) });
      return -1;
    }
    return this.bodyNeed;
  }

  private finish(body: Uint8Array, out: Decoded<C>[]): void {
    out.push(decodeBody(body, this.direction) as Decoded<C>);
  }
}

/** A decoder for what a server reads from a client connection. */
export function serverSideDecoder(opts?: Omit<FrameDecoderInit, 'direction'>): FrameDecoder<ClientCommand> {
  return new FrameDecoder<ClientCommand>({ ...opts, direction: 'toServer' });
}

/** A decoder for what a client reads from a server connection. */
export function clientSideDecoder(opts?: Omit<FrameDecoderInit, 'direction'>): FrameDecoder<ServerCommand> {
  return new FrameDecoder<ServerCommand>({ ...opts, direction: 'toClient' });
}
