import { describe, expect, it } from 'vitest';
import { hex, pduFixtures, toClientFixtures, toHex, toServerFixtures } from '../test/fixtures.js';
import { FRAME_HEADER_BYTES } from './constants.js';
import { decodeBody } from './decode-body.js';
import { encodeFrame } from './encode-frame.js';
import { clientSideDecoder, serverSideDecoder } from './frame-decoder.js';
import { decodePdu, encodePdu } from './pdu.js';

describe('frame fixtures (encode, decode, re-decode)', () => {
  const cases = [
    ...toServerFixtures.map((f) => ({ ...f, direction: 'toServer' as const })),
    ...toClientFixtures.map((f) => ({ ...f, direction: 'toClient' as const })),
  ];
  for (const f of cases) {
    it(`${f.name}: encodes to the fixture bytes`, () => {
      expect(toHex(encodeFrame(f.value))).toBe(toHex(hex(f.hex)));
    });
    it(`${f.name}: the fixture decodes to the value`, () => {
      const dec = f.direction === 'toServer' ? serverSideDecoder() : clientSideDecoder();
      expect(dec.push(hex(f.hex))).toEqual([{ ok: true, value: f.value }]);
      expect(dec.bufferedBytes).toBe(0);
      expect(decodeBody(hex(f.hex).subarray(FRAME_HEADER_BYTES), f.direction)).toEqual({ ok: true, value: f.value });
    });
    it(`${f.name}: re-decodes its own encoding`, () => {
      const r = decodeBody(encodeFrame(f.value).subarray(FRAME_HEADER_BYTES), f.direction);
      expect(r.ok && encodeFrame(r.value)).toEqual(hex(f.hex));
    });
  }
});

describe('PDU fixtures (encode, decode, re-decode)', () => {
  for (const f of pduFixtures) {
    it(`${f.name}: encodes to the fixture bytes`, () => {
      expect(toHex(encodePdu(f.value))).toBe(toHex(hex(f.hex)));
    });
    it(`${f.name}: the fixture decodes to the value, with no warning`, () => {
      expect(decodePdu(hex(f.hex))).toEqual({ ok: true, value: f.value });
    });
    it(`${f.name}: re-decodes its own encoding`, () => {
      const r = decodePdu(encodePdu(f.value));
      expect(r.ok && toHex(encodePdu(r.value))).toBe(toHex(hex(f.hex)));
    });
  }
});
