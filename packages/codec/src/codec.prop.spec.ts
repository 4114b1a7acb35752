import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientCommandArb, pduArb, serverCommandArb } from '../test/arbitraries.js';
import { fcRuns } from '../test/fc-runs.js';
import { FRAME_HEADER_BYTES } from './constants.js';
import { encodeFrame } from './encode-frame.js';
import { FrameDecoder, clientSideDecoder, serverSideDecoder } from './frame-decoder.js';
import { decodePdu, encodePdu } from './pdu.js';
import type { Command, Decoded } from './types.js';
import { concat, chunks } from '../test/bytes.js';

const runs = { numRuns: fcRuns(200) };

describe('properties', () => {
  it('decode(encode(x)) = x for client commands', () => {
    fc.assert(
      fc.property(clientCommandArb, (cmd) => {
        expect(serverSideDecoder().push(encodeFrame(cmd))).toEqual([{ ok: true, value: cmd }]);
      }),
      runs,
    );
  });

  it('decode(encode(x)) = x for server commands', () => {
    fc.assert(
      fc.property(serverCommandArb, (cmd) => {
        expect(clientSideDecoder().push(encodeFrame(cmd))).toEqual([{ ok: true, value: cmd }]);
      }),
      runs,
    );
  });

  it('any chunking of a frame stream decodes to the same commands', () => {
    fc.assert(
      fc.property(fc.array(clientCommandArb, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (cmds, cuts) => {
        const stream = concat(cmds.map(encodeFrame));
        const dec = serverSideDecoder();
        const got = chunks(stream, cuts).flatMap((c) => dec.push(c));
        expect(got).toEqual(cmds.map((value) => ({ ok: true, value })));
        expect(dec.bufferedBytes).toBe(0);
      }),
      runs,
    );
  });

  it('arbitrary bytes in arbitrary chunks never throw and never buffer past header + limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 96 }),
        fc.boolean(),
        fc.constantFrom<'toServer' | 'toClient'>('toServer', 'toClient'),
        (parts, maxFrameBytes, legacy, direction) => {
          const dec = new FrameDecoder<Command>({ direction, maxFrameBytes, legacy });
          const out: Decoded<Command>[] = [];
          for (const p of parts) {
            out.push(...dec.push(p));
            expect(dec.bufferedBytes).toBeLessThanOrEqual(FRAME_HEADER_BYTES + maxFrameBytes);
          }
          out.push(...dec.end());
          expect(dec.bufferedBytes).toBe(0);
          for (const r of out) expect(typeof r.ok).toBe('boolean');
        },
      ),
      runs,
    );
  });

  it('decodePdu(encodePdu(x)) = x', () => {
    fc.assert(
      fc.property(pduArb, (pdu) => {
        expect(decodePdu(encodePdu(pdu), { maxDatagramBytes: 65_536 })).toEqual({ ok: true, value: pdu });
      }),
      runs,
    );
  });

  it('arbitrary datagrams never throw; whatever decodes cleanly re-encodes to a datagram that decodes the same', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const r = decodePdu(bytes);
        if (r.ok && r.warning === undefined) expect(decodePdu(encodePdu(r.value))).toEqual(r);
      }),
      runs,
    );
  });
});
