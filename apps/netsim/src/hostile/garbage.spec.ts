import { describe, expect, it } from 'vitest';
import { decodePdu, FrameDecoder } from '@ims/codec';
import { garbageFrame, garbagePdu, prng } from './garbage.js';

describe('hostile garbage', () => {
  it('is reproducible from its seed', () => {
    const a = prng(42);
    const b = prng(42);
    expect(Array.from({ length: 20 }, () => garbagePdu(a))).toEqual(Array.from({ length: 20 }, () => garbagePdu(b)));
  });

  it('produces PDUs the codec rejects or flags, without throwing', () => {
    const rand = prng(7);
    let flagged = 0;
    for (let i = 0; i < 500; i++) {
      const r = decodePdu(garbagePdu(rand));
      if (!r.ok || r.warning !== undefined) flagged += 1;
    }
    // Random bytes can happen to form a valid PDU; the generator must still be mostly malformed.
    expect(flagged).toBeGreaterThan(400);
  });

  it('produces frames a server-side decoder turns into errors, some fatal', () => {
    const rand = prng(9);
    let errors = 0;
    let fatal = 0;
    for (let i = 0; i < 200; i++) {
      const g = garbageFrame(rand);
      const results = new FrameDecoder({ direction: 'toServer' }).push(g.bytes);
      if (results.some((r) => !r.ok)) errors += 1;
      if (g.fatal) fatal += 1;
    }
    expect(fatal).toBeGreaterThan(0);
    expect(errors).toBeGreaterThan(100);
  });
});
