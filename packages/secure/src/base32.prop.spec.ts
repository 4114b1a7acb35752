import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode } from './base32.js';

describe('base32', () => {
  it('round-trips any bytes, in visible lowercase ASCII', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = base32Encode(bytes);
        expect(text).toMatch(/^[a-z2-7]*$/);
        expect(base32Decode(text)).toEqual(bytes);
      }),
    );
  });

  it('gives every byte string one encoding: a tail with set spare bits, or another alphabet, is refused', () => {
    expect(base32Encode(new Uint8Array([0xff]))).toBe('74');
    expect(base32Decode('74')).toEqual(new Uint8Array([0xff]));
    expect(base32Decode('77')).toBeUndefined();
    expect(base32Decode('7A')).toBeUndefined();
    expect(base32Decode('a1')).toBeUndefined();
  });
});
