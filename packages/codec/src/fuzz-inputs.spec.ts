import { describe, expect, it } from 'vitest';
import { serverSideDecoder } from './frame-decoder.js';
import { below, mutatedFrame, mutatedPdu, prng, splitRandomly } from './fuzz-inputs.js';
import { decodePdu, encodePdu } from './pdu.js';

const CHANNELS = ['#room', '@secret'];

describe('fuzz inputs', () => {
  it('are the same for the same seed (a printed seed replays a run)', () => {
    const run = (seed: number) => {
      const rand = prng(seed);
      return Array.from({ length: 200 }, () => [...mutatedFrame(rand, CHANNELS), ...mutatedPdu(rand, ['srv'], [encodePdu({ peerId: 'srv', options: [] })])].join(','));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
    const rand = prng(1);
    expect(Array.from({ length: 1_000 }, () => below(rand, 3)).every((n) => n >= 0 && n < 3)).toBe(true);
  });

  it('reach the decoders` error paths, and the decoders never throw on them', () => {
    const rand = prng(42);
    const codes = new Set<string>();
    let ok = 0;
    for (let i = 0; i < 300; i++) {
      // A fresh decoder per burst, as a server has per connection; the burst arrives in random pieces.
      const dec = serverSideDecoder();
      for (const piece of splitRandomly(rand, mutatedFrame(rand, CHANNELS))) {
        for (const d of dec.push(piece)) {
          if (d.ok) ok++;
          else codes.add(d.error.code);
        }
      }
    }
    for (let i = 0; i < 2_000; i++) {
      const d = decodePdu(mutatedPdu(rand, ['srv'], [encodePdu({ peerId: 'srv', options: [{ type: 'SERVER_OPTION', port: 50_000 }] })]));
      if (d.ok) ok++;
      else codes.add(d.error.code);
    }
    expect(ok).toBeGreaterThan(100);
    for (const code of ['FRAME_TOO_LARGE', 'UNKNOWN_COMMAND', 'BAD_UTF8', 'EMPTY_FRAME', 'PDU_TRUNCATED', 'PDU_TOO_LARGE', 'PDU_EMPTY']) expect([...codes]).toContain(code);
  });
});
