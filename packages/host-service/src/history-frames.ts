/**
 * Encoded history SAYs, kept so that a JOIN's replay (up to historyLimit posts, docs/protocol.md
 * §2.6) costs a lookup per post rather than an encode: a reconnect loop into a channel with a full
 * history otherwise re-encodes a thousand frames per connection, one long turn each time. Keyed by
 * the post's text (the same string the reducer's history holds, so its hash is cached), checked
 * against author and time. Bounded: small frames only, and emptied when full.
 */
import { encodeFrame } from '@ims/codec';
import { type Post, historySay } from '@ims/channel-core';

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

  /** The frame of one history post, from the cache when it holds it; throws as encodeFrame does. */
  encode(post: Post): Uint8Array {
    const hit = this.byText.get(post.text);
    if (hit !== undefined && hit.authorId === post.authorId && hit.at === post.at) return hit.bytes;
    const bytes = encodeFrame(historySay(post));
    if (bytes.byteLength <= MAX_FRAME_BYTES) {
      if (this.byText.size >= MAX_ENTRIES) this.byText.clear();
      this.byText.set(post.text, { authorId: post.authorId, at: post.at, bytes });
    }
    return bytes;
  }

  /**
   * A whole replay as one buffer, so a joiner's thousand posts are one write, not a thousand queued
   * chunks. A post the wire cannot carry is left out and reported to `onError` (a validation gap:
   * the rest still goes).
   */
  replay(posts: readonly Post[], onError: (err: unknown) => void): Uint8Array {
    const frames: Uint8Array[] = [];
    let total = 0;
    for (const post of posts) {
      try {
        const bytes = this.encode(post);
        frames.push(bytes);
        total += bytes.byteLength;
      } catch (err) {
        onError(err);
      }
    }
    if (frames.length === 1) return frames[0] as Uint8Array;
    const out = new Uint8Array(total);
    let at = 0;
    for (const f of frames) {
      out.set(f, at);
      at += f.byteLength;
    }
    return out;
  }

  /** Entries held (for tests). */
  get size(): number {
    return this.byText.size;
  }
}
