import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { peerIdArb } from '../test/arbitraries.js';
import { fcRuns } from '../test/fc-runs.js';
import { ADMITTED_MARKER, chunkAdmitted } from './admitted-field.js';
import { MAX_SUCCESSORS } from './constants.js';
import { encodeFrame } from './encode-frame.js';
import { clientSideDecoder } from './frame-decoder.js';

const runs = { numRuns: fcRuns(200) };
const distinct = (max: number): fc.Arbitrary<string[]> => fc.uniqueArray(peerIdArb, { maxLength: max });

describe('STANDBY admission field properties (docs/protocol.md §2.8)', () => {
  it('decode(encode(x)) keeps standby, successors and admitted apart', () => {
    fc.assert(
      fc.property(peerIdArb, distinct(MAX_SUCCESSORS), distinct(40), (peerId, successors, admitted) => {
        const [r] = clientSideDecoder().push(encodeFrame({ cmd: 'STANDBY', peerId, successors, admitted }));
        // No extra field at all reads as the plain STANDBY.
        const want = admitted.length > 0 ? { cmd: 'STANDBY', peerId, successors, admitted } : successors.length > 0 ? { cmd: 'STANDBY', peerId, successors } : { cmd: 'STANDBY', peerId };
        expect(r).toEqual({ ok: true, value: want });
      }),
      runs,
    );
  });

  it('chunks reassemble the valid list in order, each within the field limit, each a decodable frame', () => {
    fc.assert(
      fc.property(distinct(60), fc.integer({ min: ADMITTED_MARKER.length + 1, max: 200 }), (ids, limit) => {
        const { chunks, leftOut } = chunkAdmitted(ids, limit);
        expect([...chunks.flat(), ...leftOut].sort()).toEqual([...ids].sort());
        expect(chunks.flat()).toEqual(ids.filter((id) => !leftOut.includes(id)));
        for (const c of chunks) {
          expect(c.length).toBeGreaterThan(0);
          expect(ADMITTED_MARKER.length + c.join(' ').length).toBeLessThanOrEqual(limit);
          const [r] = clientSideDecoder().push(encodeFrame({ cmd: 'STANDBY', peerId: 'p', admitted: c }));
          expect(r?.ok && r.value.cmd === 'STANDBY' && r.value.admitted).toEqual(c);
        }
        for (const id of leftOut) expect(ADMITTED_MARKER.length + id.length).toBeGreaterThan(limit);
      }),
      runs,
    );
  });
});
