/** The journal's batch records (post-journal.ts): what a reader takes back, and where it stops. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeBatch, PostJournal, readBatches, type JournalEntry, type ReadEntry } from './post-journal.js';
import { decodeSegment, encodeSegment } from './post-segments.js';

const post = (channel: string, seq: number, text = `t${seq}`): JournalEntry => ({ kind: 'post', channel, seq, post: { authorId: `a${seq}`, text, at: seq * 10 } });
/** What a reader gives back for comparison: the entries without where their bodies sit. */
const plain = (entries: readonly (JournalEntry | ReadEntry)[]) =>
  entries.map((e) => (e.kind === 'post' ? { kind: e.kind, channel: e.channel, seq: e.seq, post: e.post } : { kind: e.kind, channel: e.channel, ids: [...e.ids] }));

// Valid UTF-8 text as a decoded frame gives it: no lone surrogates (fast-check's 'grapheme' units are whole code points).
const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const name = fc.string({ unit: fc.constantFrom(...'#@abcxyz-_0123456789'.split('')), minLength: 1, maxLength: 20 });
const entry: fc.Arbitrary<JournalEntry> = fc.oneof(
  fc.record({ channel: name, seq: fc.integer({ min: 0, max: 2 ** 53 - 1 }), author: name, text, at: fc.integer({ min: 0, max: 2 ** 48 }) }).map(
    ({ channel, seq, author, text, at }) => ({ kind: 'post' as const, channel, seq, post: { authorId: author, text, at } }),
  ),
  fc.record({ channel: name, ids: fc.array(name, { maxLength: 4 }) }).map(({ channel, ids }) => ({ kind: 'admit' as const, channel, ids })),
);

describe('journal batch records', () => {
  it('reads back any run of batches exactly, serials and entries', () => {
    fc.assert(
      fc.property(fc.array(fc.array(entry, { maxLength: 8 }), { maxLength: 6 }), fc.integer({ min: 1, max: 2 ** 40 }), (batches, first) => {
        const bytes = Buffer.concat(batches.map((b, i) => encodeBatch(first + i, b)));
        const read = readBatches(bytes);
        expect(read.map((b) => b.serial)).toEqual(batches.map((_, i) => first + i));
        expect(read.map((b) => plain(b.entries))).toEqual(batches.map(plain));
      }),
    );
  });

  it('gives each post read back the bytes a segment stores, so an import copies them; lazily, without its strings', () => {
    const entries = [post('#a', 1, 'héllo 😀'), post('#b', 2)];
    const record = encodeBatch(1, entries);
    for (const lazy of [false, true]) {
      const [batch] = readBatches(record, { posts: !lazy });
      for (const [k, e] of (batch?.entries ?? []).entries()) {
        const written = entries[k];
        if (e.kind !== 'post' || written?.kind !== 'post') throw new Error('a post expected');
        const body = e.record.subarray(e.bodyAt, e.bodyEnd);
        expect(body).toEqual(encodeSegment([written.post]));
        expect(decodeSegment(body)).toEqual([written.post]);
        expect(e.post).toEqual(lazy ? undefined : written.post);
      }
    }
  });

  it('stops at a batch cut short, a flipped byte, a serial out of line or garbage, keeping what came before', () => {
    fc.assert(
      fc.property(fc.array(fc.array(entry, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 5 }), fc.nat(), fc.nat(), (batches, pick, at) => {
        const records = batches.map((b, i) => encodeBatch(100 + i, b));
        const k = pick % records.length;
        const before = Buffer.concat(records.slice(0, k));
        const bad = Buffer.from(records[k] as Buffer);
        const cut = bad.subarray(0, 1 + (at % (bad.length - 1)));
        const flipped = Buffer.from(bad);
        flipped[at % bad.length] = (flipped[at % bad.length] as number) ^ 0x40;
        // The first batch may carry any serial: out of line only after one.
        const outOfLine = k === 0 ? [] : [encodeBatch(100 + k + 1, batches[k] as JournalEntry[])];
        for (const tail of [cut, flipped, ...outOfLine, Buffer.from('garbage garbage garbage')]) {
          const read = readBatches(Buffer.concat([before, tail, ...records.slice(k + 1)]));
          expect(read.map((b) => b.serial)).toEqual(records.slice(0, k).map((_, i) => 100 + i));
        }
      }),
    );
  });
});

describe('PostJournal (file)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ims-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('overwrites from the head after a rewind; older rounds past the new end are not read', () => {
    const j = new PostJournal(join(dir, 'h.journal'));
    j.write(encodeBatch(1, [post('#a', 1, 'x'.repeat(200))]));
    j.write(encodeBatch(2, [post('#a', 2, 'x'.repeat(200))]));
    j.rewind();
    j.write(encodeBatch(3, [post('#a', 3)]));
    expect(j.readAll().map((b) => b.serial)).toEqual([3]);
    // A round of the same length as the old one leaves an old batch aligned after the new: its serial (2) is out of line.
    j.rewind();
    j.write(encodeBatch(4, [post('#a', 1, 'x'.repeat(200))]));
    expect(j.readAll().map((b) => b.serial)).toEqual([4]);
    j.rewind(true);
    expect(j.readAll()).toEqual([]);
    j.close();
  });

  it('takes the batches a killed writer left, up to a torn last one', () => {
    const path = join(dir, 'h.journal');
    const a = encodeBatch(7, [post('#a', 1)]);
    const b = encodeBatch(8, [post('#b', 2)]);
    writeFileSync(path, Buffer.concat([a, b.subarray(0, b.length - 3)]));
    const j = new PostJournal(path);
    expect(j.readAll().map((x) => plain(x.entries))).toEqual([plain([post('#a', 1)])]);
    // Opening does not change the file: the store decides (it imports, then cuts it).
    expect(readFileSync(path).length).toBe(a.length + b.length - 3);
    j.close();
  });
});
