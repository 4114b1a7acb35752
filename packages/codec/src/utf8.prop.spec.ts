import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcRuns } from '../test/fc-runs.js';
import { utf8Length, writeUtf8 } from './utf8.js';

const encoder = new TextEncoder();

describe('writeUtf8', () => {
  it('writes the bytes TextEncoder gives, at any offset, and returns the end (any string, lone surrogates too)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.nat(8), (s, at) => {
        const want = encoder.encode(s);
        expect(utf8Length(s)).toBe(want.length);
        const out = new Uint8Array(at + want.length + 3);
        expect(writeUtf8(s, out, at)).toBe(at + want.length);
        expect(out.subarray(at, at + want.length)).toEqual(want);
        expect(out.subarray(at + want.length).every((b) => b === 0)).toBe(true);
      }),
      { numRuns: fcRuns(500) },
    );
  });

  it('switches from the ASCII copy to the encoder mid-string', () => {
    const out = new Uint8Array(16);
    expect(writeUtf8('ab€😀', out, 1)).toBe(1 + 2 + 3 + 4);
    expect([...out.subarray(0, 11)]).toEqual([0, 0x61, 0x62, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0]);
  });
});
