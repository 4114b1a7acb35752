import { describe, expect, it } from 'vitest';
import { ADMITTED_MARKER, MAX_ADMITTED_FIELD_BYTES, chunkAdmitted } from './admitted-field.js';
import { decodeBody } from './decode-body.js';
import { encodeFrame } from './encode-frame.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const body = (...fields: string[]): Uint8Array => new TextEncoder().encode(fields.map((f) => `${f}\0`).join(''));

describe('STANDBY admission field (docs/protocol.md §2.8)', () => {
  it('encodes the §2.8 example: STANDBY p2 p3 "ADMIT a b"', () => {
    const frame = encodeFrame({ cmd: 'STANDBY', peerId: 'p2', successors: ['p3'], admitted: ['a', 'b'] });
    expect(hex(frame)).toBe('00 00 00 18 53 54 41 4e 44 42 59 00 70 32 00 70 33 00 41 44 4d 49 54 20 61 20 62 00');
    expect(decodeBody(frame.subarray(4), 'toClient')).toEqual({ ok: true, value: { cmd: 'STANDBY', peerId: 'p2', successors: ['p3'], admitted: ['a', 'b'] } });
  });

  it('never reads admitted IDs as successors, with fewer than 8 successors or none', () => {
    const r = decodeBody(body('STANDBY', 'p', 'ADMIT x y z'), 'toClient');
    expect(r).toEqual({ ok: true, value: { cmd: 'STANDBY', peerId: 'p', successors: [], admitted: ['x', 'y', 'z'] } });
  });

  it('reads an admission field after 8 successors, and several fields as one list without repeats', () => {
    const succ = Array.from({ length: 9 }, (_, i) => `s${i}`);
    const r = decodeBody(body('STANDBY', 'p', ...succ, 'ADMIT a b', 'ADMIT b c'), 'toClient');
    expect(r.ok && r.value.cmd === 'STANDBY' && [r.value.successors, r.value.admitted]).toEqual([succ.slice(0, 8), ['a', 'b', 'c']]);
  });

  it('skips empty and invalid entries of another implementation; a bare marker is no field', () => {
    const r = decodeBody(body('STANDBY', 'p', 'ADMIT  a \t b '), 'toClient');
    expect(r.ok && r.value.cmd === 'STANDBY' && r.value.admitted).toEqual(['a', 'b']);
    // `ADMIT` without its space is a valid peer ID: a successor, as an older host may name one.
    expect(decodeBody(body('STANDBY', 'p', 'ADMIT'), 'toClient')).toEqual({ ok: true, value: { cmd: 'STANDBY', peerId: 'p', successors: ['ADMIT'] } });
    expect(decodeBody(body('STANDBY', 'p', 'ADMIT '), 'toClient')).toEqual({ ok: true, value: { cmd: 'STANDBY', peerId: 'p', successors: [] } });
  });

  it('the encoder refuses an invalid ID and a field over the limit; an empty list adds no field', () => {
    expect(() => encodeFrame({ cmd: 'STANDBY', peerId: 'p', admitted: ['a b'] })).toThrow(/admitted ID/);
    expect(() => encodeFrame({ cmd: 'STANDBY', peerId: 'p', admitted: ['x'.repeat(MAX_ADMITTED_FIELD_BYTES)] })).toThrow(/chunkAdmitted/);
    expect(encodeFrame({ cmd: 'STANDBY', peerId: 'p', admitted: [] })).toEqual(encodeFrame({ cmd: 'STANDBY', peerId: 'p' }));
  });

  it('chunkAdmitted fills fields up to the limit, in order, and leaves out what fits in none', () => {
    const ids = ['aaaa', 'bbbb', 'cccc', 'x'.repeat(20), 'dd', 'bad id'];
    const { chunks, leftOut } = chunkAdmitted(ids, ADMITTED_MARKER.length + 9);
    expect(chunks).toEqual([['aaaa', 'bbbb'], ['cccc', 'dd']]);
    expect(leftOut).toEqual(['x'.repeat(20), 'bad id']);
    for (const c of chunks) expect(ADMITTED_MARKER.length + c.join(' ').length).toBeLessThanOrEqual(ADMITTED_MARKER.length + 9);
  });
});
