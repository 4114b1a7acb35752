import { describe, expect, it } from 'vitest';
import { SendBatch, written } from './send-batch.js';

const bytes = (...xs: number[]): Uint8Array => Uint8Array.from(xs);

describe('SendBatch', () => {
  it('hands a single write back as it is, and keeps no list for it', () => {
    const b = new SendBatch();
    const one = bytes(1, 2, 3);
    b.add(one);
    expect(b.bytes).toBe(3);
    expect(b.take()).toBe(one);
    expect(b.isEmpty).toBe(true);
    expect(b.take()).toBeUndefined();
  });

  it('joins several writes in order, and starts empty again', () => {
    const b = new SendBatch();
    b.add(bytes(1));
    b.add(bytes(2, 3));
    b.add(bytes(4, 5, 6));
    expect(b.bytes).toBe(6);
    const out = b.take() as Uint8Array;
    expect([...out]).toEqual([1, 2, 3, 4, 5, 6]);
    written(out, 0);
    expect(b.bytes).toBe(0);
    // The next turn reuses the slots: only what was added this turn goes out.
    b.add(bytes(7));
    b.add(bytes(8));
    expect([...(b.take() as Uint8Array)]).toEqual([7, 8]);
  });

  it('reuses the shared bytes of a batch the socket took whole, and never those of a batch it kept', () => {
    const a = new SendBatch();
    const b = new SendBatch();
    a.add(bytes(1, 1));
    a.add(bytes(1, 1));
    const kept = a.take() as Uint8Array;
    // The socket still holds bytes after the write: `kept` must survive every later batch.
    written(kept, 4);
    b.add(bytes(2, 2));
    b.add(bytes(2, 2));
    const taken = b.take() as Uint8Array;
    expect([...kept]).toEqual([1, 1, 1, 1]);
    expect(taken.buffer === kept.buffer ? taken.byteOffset >= kept.byteOffset + kept.byteLength : true).toBe(true);
    written(taken, 0);
    // `taken` went to the kernel whole: the next batch may take its place.
    a.add(bytes(3, 3));
    a.add(bytes(3, 3));
    const next = a.take() as Uint8Array;
    expect(next.buffer === taken.buffer && next.byteOffset === taken.byteOffset).toBe(true);
    expect([...kept]).toEqual([1, 1, 1, 1]);
    written(next, 0);
  });

  it('keeps every kept batch intact across many turns, past the end of a shared buffer', () => {
    const held: { data: Uint8Array; fill: number }[] = [];
    const b = new SendBatch();
    for (let turn = 0; turn < 200; turn++) {
      const fill = turn % 251;
      b.add(new Uint8Array(3000).fill(fill));
      b.add(new Uint8Array(1000).fill(fill));
      const data = b.take() as Uint8Array;
      const keep = turn % 3 === 0;
      written(data, keep ? data.byteLength : 0);
      if (keep) held.push({ data, fill });
    }
    for (const h of held) expect(h.data.every((x) => x === h.fill)).toBe(true);
  });

  it('gives a large batch a buffer of its own, and clear() drops what is queued', () => {
    const b = new SendBatch();
    b.add(new Uint8Array(70_000).fill(9));
    b.add(new Uint8Array(10).fill(8));
    const big = b.take() as Uint8Array;
    expect(big.byteLength).toBe(70_010);
    expect(big[69_999]).toBe(9);
    expect(big[70_000]).toBe(8);
    b.add(bytes(1));
    b.add(bytes(2));
    b.clear();
    expect(b.isEmpty).toBe(true);
    expect(b.bytes).toBe(0);
    expect(b.take()).toBeUndefined();
  });
});
