/**
 * A segment: consecutive posts of one channel stored as one row (history-layout.ts). A row per
 * post made SQLite's per-row work (binding five values, a key search, a record, a delete when
 * trimmed) the largest share of a post's persistence cost; a segment pays it once for all the
 * posts of a channel in one import. Encoding: per post its time (f64), author ID (u16 length and
 * UTF-8) and text (u32 length and UTF-8). The journal (post-journal.ts) writes each post's body in
 * this encoding, so an import makes a segment by copying bytes, not by encoding the posts again.
 */
import type { Post } from '@ims/channel-core';
import { utf8Length, writeUtf8 } from '@ims/codec';

/** Posts per segment at most: trimming drops whole segments, so this bounds what is kept beyond the retention. */
export const SEGMENT_POSTS = 64;

/** Bytes of one post in a segment. */
export function postBodyBytes(p: Post): number {
  return 8 + 2 + utf8Length(p.authorId) + 4 + utf8Length(p.text);
}

/** Writes one post at `at` of `buf` (room for {@link postBodyBytes}); returns the offset after it. */
export function writePostBody(buf: Buffer, at: number, p: Post): number {
  buf.writeDoubleBE(p.at, at);
  const a = writeUtf8(p.authorId, buf, at + 10) - (at + 10);
  buf.writeUInt16BE(a, at + 8);
  const textAt = at + 10 + a;
  const t = writeUtf8(p.text, buf, textAt + 4) - (textAt + 4);
  buf.writeUInt32BE(t, textAt);
  return textAt + 4 + t;
}

/** Encodes posts into one segment. Author IDs are wire-bounded (< 64 KiB). */
export function encodeSegment(posts: readonly Post[]): Buffer {
  let bytes = 0;
  for (const p of posts) bytes += postBodyBytes(p);
  const buf = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const p of posts) at = writePostBody(buf, at, p);
  return buf;
}

/** Decodes a segment, oldest post first; throws on a malformed one. */
export function decodeSegment(buf: Uint8Array): Post[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Post[] = [];
  let at = 0;
  while (at < b.length) {
    const time = b.readDoubleBE(at);
    const a = b.readUInt16BE(at + 8);
    const authorId = b.toString('utf8', at + 10, at + 10 + a);
    at += 10 + a;
    const t = b.readUInt32BE(at);
    if (at + 4 + t > b.length) throw new Error('segment post overruns its row');
    out.push({ authorId, text: b.toString('utf8', at + 4, at + 4 + t), at: time });
    at += 4 + t;
  }
  return out;
}
