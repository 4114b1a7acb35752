import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientCommandArb, pduArb, serverCommandArb } from '../test/arbitraries.js';
import { fcRuns } from '../test/fc-runs.js';
import { fieldsOf, javaFrame, pythonFrame } from '../test/legacy-encoders.js';
import { encodeFrame } from './encode-frame.js';
import { clientSideDecoder, serverSideDecoder } from './frame-decoder.js';
import { decodePdu, encodePdu } from './pdu.js';
import type { Command } from './types.js';
import { concat, chunks } from '../test/bytes.js';

const runs = { numRuns: fcRuns(200) };

/** Java drops the final NUL, so a command whose last field is empty cannot survive it (docs/protocol.md §2). */
const lastFieldNonEmpty = (c: Command): boolean => (fieldsOf(c).at(-1) ?? '') !== '';
/** The Java server sends no ims extension fields (docs/protocol.md §2.8, §7.8): its SAYs are plain. */
const javaSends = (c: Command): boolean => lastFieldNonEmpty(c) && !('at' in c);

describe('legacy dialect properties', () => {
  it('a stream of Java frames (any Unicode, any chunking) decodes to the commands sent', () => {
    fc.assert(
      fc.property(fc.array(serverCommandArb.filter(javaSends), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (cmds, cuts) => {
        const dec = clientSideDecoder();
        const got = chunks(concat(cmds.map(javaFrame)), cuts).flatMap((c) => dec.push(c));
        expect(got).toEqual(cmds.map((value) => ({ ok: true, value })));
        expect(dec.bufferedBytes).toBe(0);
      }),
      runs,
    );
  });

  it('Java and strict frames mixed on one connection decode to the commands sent', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(clientCommandArb.filter(lastFieldNonEmpty), fc.boolean()), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (items, cuts) => {
        const dec = serverSideDecoder();
        const stream = concat(items.map(([c, java]) => (java ? javaFrame(c) : encodeFrame(c))));
        const got = chunks(stream, cuts).flatMap((c) => dec.push(c));
        expect(got).toEqual(items.map(([value]) => ({ ok: true, value })));
      }),
      runs,
    );
  });

  it('a stream of little-endian Python frames decodes to the commands sent and locks little-endian', () => {
    fc.assert(
      fc.property(fc.array(clientCommandArb, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (cmds, cuts) => {
        const first = pythonFrame(cmds[0] as Command);
        // docs/protocol.md §7: a first length of 256 or 65,536 also fits big-endian; skip that pinned ambiguity.
        fc.pre(first[0] !== 0);
        const dec = serverSideDecoder();
        const got = chunks(concat(cmds.map(pythonFrame)), cuts).flatMap((c) => dec.push(c));
        expect(got).toEqual(cmds.map((value) => ({ ok: true, value })));
        expect(dec.byteOrder).toBe('little-endian');
      }),
      runs,
    );
  });

  it('a PDU cut anywhere after its peer ID keeps every option before the cut (docs/protocol.md §3.4)', () => {
    fc.assert(
      fc.property(pduArb, fc.nat(), (pdu, n) => {
        const bytes = encodePdu(pdu);
        // ends[k]: where option k ends; ends[0] is where the options start.
        const ends = pdu.options.map((_, k) => encodePdu({ peerId: pdu.peerId, options: pdu.options.slice(0, k + 1) }).length);
        ends.unshift(encodePdu({ peerId: pdu.peerId, options: [] }).length);
        const cut = (ends[0] as number) + (n % (bytes.length - (ends[0] as number) + 1));
        const whole = ends.filter((e) => e <= cut).length - 1;
        const r = decodePdu(bytes.subarray(0, cut), { maxDatagramBytes: 1 << 16 });
        if (ends.includes(cut)) expect(r).toEqual({ ok: true, value: { peerId: pdu.peerId, options: pdu.options.slice(0, whole) } });
        else if (whole === 0) expect(r).toMatchObject({ ok: false, error: { code: 'PDU_TRUNCATED' } });
        else expect(r).toMatchObject({ ok: true, value: { peerId: pdu.peerId, options: pdu.options.slice(0, whole) }, warning: { code: 'PDU_TRUNCATED' } });
      }),
      runs,
    );
  });
});
