/**
 * Encoded history SAYs, kept so that a JOIN's replay (up to historyLimit posts, docs/protocol.md
 * §2.6) costs a lookup per post rather than an encode: a reconnect loop into a channel with a full
 * history otherwise re-encodes a thousand frames per connection, one long turn each time. Keyed by
 * the post's text (the same string the reducer's history holds, so its hash is cached), checked
 * against author and time. Bounded: small frames only, and emptied when full.
 */
import { type ServerCommand, encodeFrame } from '@ims/codec';

/** A history SAY: the command the reducer sends for a stored post. */
type HistorySay = Extract<ServerCommand, { cmd: 'SAY' }>;

/** One cached frame. */
interface Cached {
  readonly authorId: string;
  readonly at: number;
  readonly bytes: Uint8Array;
}

/** Frames over this are encoded each time (a few large posts must not fill the cache). */
const MAX_FRAME_BYTES = 1_024;
/** Entries before the cache is emptied: at most 16 MiB. */
const MAX_ENTRIES = 16_384;

/** The cache of one host service. */
export class HistoryFrames {
  private readonly byText = new Map<string, Cached>();

  /** The frame of `command` (whose `at` is `at`), from the cache when it holds this post; throws as encodeFrame does. */
  encode(command: HistorySay, at: number): Uint8Array {
    const hit = this.byText.get(command.text);
    if (hit !== undefined && hit.authorId === command.authorId && hit.at === at) return hit.bytes;
    const bytes = encodeFrame(command);
    if (bytes.byteLength <= MAX_FRAME_BYTES) {
      if (this.byText.size >= MAX_ENTRIES) this.byText.clear();
      this.byText.set(command.text, { authorId: command.authorId, at, bytes });
    }
    return bytes;
  }

  /** Entries held (for tests). */
  get size(): number {
    return this.byText.size;
  }
}
