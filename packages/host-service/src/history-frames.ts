/**
 * Encoded history SAYs, kept so that a JOIN's replay (up to historyLimit posts, docs/protocol.md
 * §2.6) costs a lookup per post rather than an encode: a reconnect loop into a channel with a full
 * history otherwise re-encodes a thousand frames per connection, one long turn each time. Keyed by
 * the post's text (the same string the reducer's history holds, so its hash is cached), checked
 * against author, time and nick. Bounded: small frames only, and emptied when full.
 *
 * Each frame carries the author's nick as the field after the time (docs/protocol.md §2.8), the
 * last one discovery announced for that ID (remembered after the author left, so a departed author
 * keeps a name in the history; bounded).
 */
import { CodecError, encodeFrame } from '@ims/codec';
import { type Post, historySay } from '@ims/channel-core';

/** One cached frame. */
interface Cached {
  readonly authorId: string;
  readonly at: number;
  readonly nick: string | undefined;
  readonly bytes: Uint8Array;
}

/** Frames over this are encoded each time (a few large posts must not fill the cache). */
const MAX_FRAME_BYTES = 1_024;
/** Entries before the cache is emptied: at most 16 MiB. */
const MAX_ENTRIES = 16_384;
/** Nicks remembered: at most this many authors, the oldest forgotten first. */
const MAX_NICKS = 10_000;

/** The cache of one host service. */
export class HistoryFrames {
  private readonly byText = new Map<string, Cached>();
  private readonly nicks = new Map<string, string>();

  /** Remembers the CLIENT_NICK of each peer that has one (feed it discovery's peer snapshots). */
  noteNicks(peers: readonly { readonly id: string; readonly nick: string | undefined }[]): void {
    for (const p of peers) {
      if (p.nick === undefined || p.nick === '' || this.nicks.get(p.id) === p.nick) continue;
      this.nicks.delete(p.id);
      this.nicks.set(p.id, p.nick);
      if (this.nicks.size > MAX_NICKS) this.nicks.delete(this.nicks.keys().next().value as string);
    }
  }

  /** The frame of one history post, from the cache when it holds it; throws as encodeFrame does. */
  encode(post: Post): Uint8Array {
    const nick = this.nicks.get(post.authorId);
    const hit = this.byText.get(post.text);
    if (hit !== undefined && hit.authorId === post.authorId && hit.at === post.at && hit.nick === nick) return hit.bytes;
    const bytes = this.encodeWithNick(post, nick);
    if (bytes.byteLength <= MAX_FRAME_BYTES) {
      if (this.byText.size >= MAX_ENTRIES) this.byText.clear();
      this.byText.set(post.text, { authorId: post.authorId, at: post.at, nick, bytes });
    }
    return bytes;
  }

  /** With the nick when the wire can carry it; a nick it cannot carry never costs the post. */
  private encodeWithNick(post: Post, nick: string | undefined): Uint8Array {
    const say = historySay(post);
    if (nick === undefined || say.cmd !== 'SAY' || !('at' in say) || say.at === undefined) return encodeFrame(say);
    try {
      return encodeFrame({ ...say, nick });
    } catch (err) {
      // Only the nick's refusal is expected here: the post itself goes without it (else it rethrows below).
      if (!(err instanceof CodecError)) throw err;
      return encodeFrame(say);
    }
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
