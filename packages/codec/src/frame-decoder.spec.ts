import { describe, expect, it } from 'vitest';
import { hex, toClientFixtures, toServerFixtures } from '../test/fixtures.js';
import { FRAME_HEADER_BYTES } from './constants.js';
import { encodeFrame } from './encode-frame.js';
import { FrameDecoder, clientSideDecoder, serverSideDecoder } from './frame-decoder.js';
import type { Command, Decoded } from './types.js';
import { concat } from '../test/bytes.js';

const serverStream = concat(toServerFixtures.map((f) => hex(f.hex)));
const serverValues = toServerFixtures.map((f) => ({ ok: true, value: f.value }));

describe('FrameDecoder', () => {
  it('decodes a stream fed one byte at a time, and holds the partial frame in between', () => {
    const dec = serverSideDecoder();
    const got: Decoded<Command>[] = [];
    let frameStart = 0;
    let frameEnd = 0;
    const ends = toServerFixtures.map((f) => (frameEnd += hex(f.hex).length));
    for (let i = 0; i < serverStream.length; i++) {
      const out = dec.push(serverStream.subarray(i, i + 1));
      got.push(...out);
      // A result appears exactly when the last byte of a frame arrives.
      expect(out.length).toBe(ends.includes(i + 1) ? 1 : 0);
      if (out.length > 0) frameStart = i + 1;
      expect(dec.bufferedBytes).toBe(i + 1 - frameStart);
    }
    expect(got).toEqual(serverValues);
  });

  it('decodes identically when the stream is split at every point', () => {
    for (let cut = 0; cut <= serverStream.length; cut++) {
      const dec = serverSideDecoder();
      const got = [...dec.push(serverStream.subarray(0, cut)), ...dec.push(serverStream.subarray(cut))];
      expect(got, `split at ${cut}`).toEqual(serverValues);
      expect(dec.end()).toEqual([]);
    }
  });

  it('decodes identically when split at every pair of points (client side)', () => {
    const stream = concat(toClientFixtures.map((f) => hex(f.hex)));
    const want = toClientFixtures.map((f) => ({ ok: true, value: f.value }));
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b += 3) {
        const dec = clientSideDecoder();
        const got = [...dec.push(stream.subarray(0, a)), ...dec.push(stream.subarray(a, b)), ...dec.push(stream.subarray(b))];
        expect(got, `split at ${a},${b}`).toEqual(want);
      }
    }
  });

  it('rejects an oversize length before buffering the body, and is then poisoned', () => {
    const dec = new FrameDecoder({ direction: 'toServer', maxFrameBytes: 16 });
    const big = encodeFrame({ cmd: 'SAY', text: 'x'.repeat(20) });
    const out = dec.push(big.subarray(0, FRAME_HEADER_BYTES));
    expect(out).toHaveLength(1);
    expect(out[0]?.ok === false && out[0].error.code).toBe('FRAME_TOO_LARGE');
    expect(out[0]?.ok === false && out[0].error.fatal).toBe(true);
    expect(dec.bufferedBytes).toBe(0);
    expect(dec.isPoisoned).toBe(true);
    expect(dec.push(encodeFrame({ cmd: 'EXIT' }))).toEqual([]);
    expect(dec.end()).toEqual([]);
  });

  it('reports FRAME_TRUNCATED when the stream ends inside a frame', () => {
    const dec = serverSideDecoder();
    dec.push(encodeFrame({ cmd: 'SAY', text: 'hello' }).subarray(0, 7));
    const out = dec.end();
    expect(out.map((r) => !r.ok && r.error.code)).toEqual(['FRAME_TRUNCATED']);
    expect(dec.bufferedBytes).toBe(0);
  });
});
