/**
 * The history's hot path: an append-only journal of the turns' posts (README "History and the
 * data directory"). A turn's commit is one `pwrite` of one batch record, then the echoes go out;
 * the posts reach SQLite later, imported in large transactions (sqlite-history-store.ts). A SQLite
 * commit per turn cost ~20 µs of fixed work (six `fcntl` locks, a WAL frame per changed page, the
 * page rewritten by every commit), most of the durable acknowledgement's price (issue 13).
 *
 * Durability is the same as a WAL commit with synchronous=NORMAL: once `pwrite` returned, the
 * bytes are in the kernel's page cache and survive a kill of the process (not a power cut).
 *
 * A batch record: magic `IMSJ`, payload length, serial (high and low 32 bits), CRC-32 of the serial
 * and the payload, then the payload: entries of a post (channel, seq, then its body: time, author,
 * text as a segment stores them, post-segments.ts) or an admission (channel, peer IDs). Serials increase by one per batch. The journal is rewritten from
 * its head once everything in it was imported: a reader takes the batches from the head while
 * their CRC holds and their serials follow each other, so what is left of older rounds, or of a
 * write the disk refused halfway, ends the journal instead of being read.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import type { Post } from '@ims/channel-core';
import { writeUtf8 } from '@ims/codec';
import { decodeSegment, writePostBody } from './post-segments.js';

const MAGIC = 0x494d534a; // 'IMSJ'
const HEADER_BYTES = 20;
const KIND_POST = 1;
const KIND_ADMIT = 2;
/** Largest payload a reader accepts (a batch is one turn's posts; a frame is at most 16 MiB). */
const MAX_PAYLOAD = 1 << 30;

/** One post of a batch to write, with its channel and the seq it has in the posts table. */
export interface JournalPost {
  readonly kind: 'post';
  readonly channel: string;
  readonly seq: number;
  readonly post: Post;
}

/** A post read back: where its body (segment encoding, post-segments.ts) lies, and the post itself unless read lazily. */
export interface ReadPost {
  readonly kind: 'post';
  readonly channel: string;
  readonly seq: number;
  /** Absent when read with `posts: false` (an import copies the body, it needs no strings). */
  readonly post: Post | undefined;
  readonly record: Buffer;
  readonly bodyAt: number;
  readonly bodyEnd: number;
}

/** Peer IDs admitted to a private channel (docs/protocol.md §8). */
export interface JournalAdmit {
  readonly kind: 'admit';
  readonly channel: string;
  readonly ids: readonly string[];
}

/** An entry of a batch to write. */
export type JournalEntry = JournalPost | JournalAdmit;

/** An entry of a batch read back. */
export type ReadEntry = ReadPost | JournalAdmit;

/** A batch read back, with where it ends in the file. */
export interface JournalBatch {
  readonly serial: number;
  readonly entries: ReadEntry[];
  /** Offset just past the record. */
  readonly end: number;
}

/** Bytes one entry may take at most (3 UTF-8 bytes per UTF-16 unit: a pair takes 4 for 2). */
function entryBound(e: JournalEntry): number {
  if (e.kind === 'post') return 1 + 2 + 8 + 4 + 8 + 2 + 4 + 3 * (e.channel.length + e.post.authorId.length + e.post.text.length);
  let n = 1 + 2 + 3 * e.channel.length + 4;
  for (const id of e.ids) n += 2 + 3 * id.length;
  return n;
}

/** Writes `s` with a u16 length prefix at `at`; returns the offset after it. */
function putShort(buf: Buffer, at: number, s: string): number {
  const end = writeUtf8(s, buf, at + 2);
  buf.writeUInt16BE(end - at - 2, at);
  return end;
}

/** Reused for encoding: one pass over the strings into room enough, then one copy of what was written. */
let scratch = Buffer.allocUnsafe(64 * 1024);

/** Encodes one batch record. Channel names, author IDs and peer IDs are wire-bounded (< 64 KiB). */
export function encodeBatch(serial: number, entries: readonly JournalEntry[]): Buffer {
  let bound = HEADER_BYTES;
  for (const e of entries) bound += entryBound(e);
  if (scratch.length < bound) scratch = Buffer.allocUnsafe(Math.max(bound, 2 * scratch.length));
  const buf = scratch;
  let at = HEADER_BYTES;
  for (const e of entries) {
    if (e.kind === 'post') {
      buf[at++] = KIND_POST;
      at = putShort(buf, at, e.channel);
      buf.writeDoubleBE(e.seq, at);
      const start = at + 12;
      const end = writePostBody(buf, start, e.post);
      buf.writeUInt32BE(end - start, at + 8);
      at = end;
    } else {
      buf[at++] = KIND_ADMIT;
      at = putShort(buf, at, e.channel);
      buf.writeUInt32BE(e.ids.length, at);
      at += 4;
      for (const id of e.ids) at = putShort(buf, at, id);
    }
  }
  buf.writeUInt32BE(MAGIC, 0);
  buf.writeUInt32BE(at - HEADER_BYTES, 4);
  buf.writeUInt32BE(Math.floor(serial / 2 ** 32), 8);
  buf.writeUInt32BE(serial >>> 0, 12);
  buf.writeUInt32BE(crc32(buf.subarray(HEADER_BYTES, at), crc32(buf.subarray(8, 16))), 16);
  return Buffer.from(buf.subarray(0, at));
}

/** Decodes a payload; throws on a malformed one (a CRC-checked payload is never malformed). */
function decodePayload(buf: Buffer, start: number, end: number, posts: boolean): ReadEntry[] {
  const out: ReadEntry[] = [];
  let at = start;
  const str = (lenBytes: 2 | 4): string => {
    const n = lenBytes === 2 ? buf.readUInt16BE(at) : buf.readUInt32BE(at);
    const s = buf.toString('utf8', at + lenBytes, at + lenBytes + n);
    at += lenBytes + n;
    return s;
  };
  while (at < end) {
    const kind = buf[at++];
    const channel = str(2);
    if (kind === KIND_POST) {
      const seq = buf.readDoubleBE(at);
      const bodyEnd = at + 12 + buf.readUInt32BE(at + 8);
      if (bodyEnd > end) throw new Error('journal post overruns its batch');
      let post: Post | undefined;
      if (posts) {
        const [one, more] = decodeSegment(buf.subarray(at + 12, bodyEnd));
        if (one === undefined || more !== undefined) throw new Error('journal post body is not one post');
        post = one;
      }
      out.push({ kind: 'post', channel, seq, post, record: buf, bodyAt: at + 12, bodyEnd });
      at = bodyEnd;
    } else if (kind === KIND_ADMIT) {
      const count = buf.readUInt32BE(at);
      at += 4;
      const ids: string[] = [];
      for (let i = 0; i < count; i++) ids.push(str(2));
      out.push({ kind: 'admit', channel, ids });
    } else {
      throw new Error(`unknown journal entry kind ${String(kind)}`);
    }
  }
  if (at !== end) throw new Error('journal entry overruns its batch');
  return out;
}

/**
 * The batches of a journal's contents, from the head, while each is whole, its CRC holds and its
 * serial is one more than the previous one's (the first may have any serial). With `posts: false`
 * the posts' strings are not decoded (an import copies each post's bytes as they are).
 */
export function readBatches(buf: Buffer, options: { readonly posts?: boolean } = {}): JournalBatch[] {
  const posts = options.posts ?? true;
  const out: JournalBatch[] = [];
  let at = 0;
  let last: number | undefined;
  while (buf.length - at >= HEADER_BYTES) {
    if (buf.readUInt32BE(at) !== MAGIC) break;
    const payload = buf.readUInt32BE(at + 4);
    const serial = buf.readUInt32BE(at + 8) * 2 ** 32 + buf.readUInt32BE(at + 12);
    const end = at + HEADER_BYTES + payload;
    if (payload > MAX_PAYLOAD || end > buf.length) break;
    if (last !== undefined && serial !== last + 1) break;
    const body = buf.subarray(at + HEADER_BYTES, end);
    if (crc32(body, crc32(buf.subarray(at + 8, at + 16))) !== buf.readUInt32BE(at + 16)) break;
    let entries: ReadEntry[];
    try {
      entries = decodePayload(buf, at + HEADER_BYTES, end, posts);
    } catch {
      // Only a writer of another format gets here (the CRC held): the journal ends at this batch.
      break;
    }
    out.push({ serial, entries, end });
    last = serial;
    at = end;
  }
  return out;
}

/** The journal file of one store: written at `offset`, rewritten from the head once imported. */
export class PostJournal {
  private readonly fd: number;
  private offset = 0;
  private closed = false;

  constructor(readonly path: string) {
    // Created if missing, then opened without O_APPEND: a write the disk refused halfway is
    // overwritten by the next one, at the same offset.
    closeSync(openSync(path, 'a'));
    this.fd = openSync(path, 'r+');
  }

  /** Every batch the file holds now, from its head (see {@link readBatches}). */
  readAll(options: { readonly posts?: boolean } = {}): JournalBatch[] {
    const size = fstatSync(this.fd).size;
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(this.fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return readBatches(buf.subarray(0, got), options);
  }

  /** Bytes written since the journal was last rewound. */
  get size(): number {
    return this.offset;
  }

  /** Writes one batch record after the last one; throws (ENOSPC, EIO) with nothing taken: the next write goes to the same offset. */
  write(record: Buffer): void {
    let done = 0;
    while (done < record.length) done += writeSync(this.fd, record, done, record.length - done, this.offset + done);
    this.offset += record.length;
  }

  /**
   * Starts over from the head: call only once every batch written is imported. With `truncate`
   * the file is also cut to nothing (at close, so a clean stop leaves an empty journal); else the
   * old bytes stay and are overwritten, cheaper than extending the file again.
   */
  rewind(truncate = false): void {
    this.offset = 0;
    if (truncate) ftruncateSync(this.fd, 0);
  }

  /** Goes on writing at `offset` (just past the batches read at open that are still to be imported). */
  resumeAt(offset: number): void {
    this.offset = offset;
  }

  /** Closes the file; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
