/**
 * Legacy dialects (docs/protocol.md "Legacy dialects"), each pinned with bytes as the old
 * implementations send them, including the ambiguous cases and what ims decides there.
 */
import { describe, expect, it } from 'vitest';
import { hex } from '../test/fixtures.js';
import { encodeFrame } from './encode-frame.js';
import { FrameDecoder, clientSideDecoder, serverSideDecoder } from './frame-decoder.js';
import { decodePdu } from './pdu.js';
import type { Command, Decoded } from './types.js';

/** Java server SAY: length 0x15 = 21 UTF-16 units of "SAY\0A6C44C67EA45\0grüß", 23 UTF-8 bytes, no final NUL. */
const JAVA_SERVER_SAY = '00 00 00 15 53 41 59 00 41 36 43 34 34 43 36 37 45 41 34 35 00 67 72 c3 bc c3 9f';
/** Java client SAY "hi 👋": 9 units (the emoji is a surrogate pair), 11 bytes. */
const JAVA_CLIENT_SAY = '00 00 00 09 53 41 59 00 68 69 20 f0 9f 91 8b';
/** Python: the same JOIN and EXIT with little-endian lengths. */
const PY_JOIN = '0c 00 00 00 4a 4f 49 4e 00 23 6c 6f 62 62 79 00';
const PY_EXIT = '05 00 00 00 45 58 49 54 00';

function all<C extends Command>(dec: FrameDecoder<C>, bytes: Uint8Array, cut?: number): Decoded<C>[] {
  if (cut === undefined) return [...dec.push(bytes), ...dec.end()];
  return [...dec.push(bytes.subarray(0, cut)), ...dec.push(bytes.subarray(cut)), ...dec.end()];
}

describe('body without its final NUL (always accepted, docs/protocol.md §2)', () => {
  it('JOIN #ab and EXIT without final NUL', () => {
    const stream = hex('00 00 00 08 4a 4f 49 4e 00 23 61 62  00 00 00 04 45 58 49 54');
    expect(all(serverSideDecoder(), stream)).toEqual([
      { ok: true, value: { cmd: 'JOIN', channel: '#ab' } },
      { ok: true, value: { cmd: 'EXIT' } },
    ]);
  });
  it('is accepted with legacy off too', () => {
    expect(all(serverSideDecoder({ legacy: false }), hex('00 00 00 04 45 58 49 54'))).toEqual([{ ok: true, value: { cmd: 'EXIT' } }]);
  });
  it('"SAY\\0" is a SAY without text (MISSING_FIELD), not an empty text', () => {
    const out = all(serverSideDecoder(), hex('00 00 00 04 53 41 59 00'));
    expect(out.map((r) => !r.ok && r.error.code)).toEqual(['MISSING_FIELD']);
  });
});

describe('Java length in UTF-16 code units', () => {
  const stream = new Uint8Array([...hex(JAVA_SERVER_SAY), ...encodeFrame({ cmd: 'STANDBY', peerId: 'p2' })]);
  const want = [
    { ok: true, value: { cmd: 'SAY', authorId: 'A6C44C67EA45', text: 'grüß' } },
    { ok: true, value: { cmd: 'STANDBY', peerId: 'p2' } },
  ];

  it('reads on past the length to complete the units, and stays in sync', () => {
    expect(all(clientSideDecoder(), stream)).toEqual(want);
  });
  it('decodes identically at every split point and byte by byte', () => {
    for (let cut = 0; cut <= stream.length; cut++) expect(all(clientSideDecoder(), stream, cut), `cut ${cut}`).toEqual(want);
    const dec = clientSideDecoder();
    const got = [...stream].flatMap((b) => dec.push(Uint8Array.of(b)));
    expect(got).toEqual(want);
  });
  it('counts a 4-byte UTF-8 sequence as two units (surrogate pair)', () => {
    expect(all(serverSideDecoder(), hex(JAVA_CLIENT_SAY))).toEqual([{ ok: true, value: { cmd: 'SAY', text: 'hi 👋' } }]);
  });
  it('is FRAME_TOO_LARGE when the units need more bytes than the limit', () => {
    // 9 units fit the 10-byte limit, the 11 bytes they need do not.
    const out = all(new FrameDecoder<Command>({ direction: 'toServer', maxFrameBytes: 10 }), hex(JAVA_CLIENT_SAY));
    expect(out.map((r) => !r.ok && r.error.code)).toEqual(['FRAME_TOO_LARGE']);
  });
  it('with legacy off the byte count is trusted: the text is cut and the stream desynchronised', () => {
    const out = all(clientSideDecoder({ legacy: false }), stream);
    expect(out[0]).toEqual({ ok: true, value: { cmd: 'SAY', authorId: 'A6C44C67EA45', text: 'grü' } });
    expect(out.slice(1).some((r) => !r.ok)).toBe(true);
  });
  it('ambiguity: an ASCII-only body reads the same under both counts', () => {
    expect(all(clientSideDecoder(), hex('00 00 00 0b 53 54 41 4e 44 42 59 00 70 2d 32'))).toEqual([{ ok: true, value: { cmd: 'STANDBY', peerId: 'p-2' } }]);
  });
});

describe('little-endian length (older Python)', () => {
  it('is detected on the first frame and locked for the connection', () => {
    const dec = serverSideDecoder();
    expect(dec.byteOrder).toBe('unknown');
    expect(all(dec, hex(`${PY_JOIN} ${PY_EXIT}`))).toEqual([
      { ok: true, value: { cmd: 'JOIN', channel: '#lobby' } },
      { ok: true, value: { cmd: 'EXIT' } },
    ]);
    expect(dec.byteOrder).toBe('little-endian');
  });
  it('a strict frame first locks big-endian; a later little-endian length is then too large', () => {
    const dec = serverSideDecoder();
    const out = all(dec, new Uint8Array([...encodeFrame({ cmd: 'EXIT' }), ...hex(PY_EXIT)]));
    expect(dec.byteOrder).toBe('big-endian');
    expect(out.map((r) => (r.ok ? r.value.cmd : r.error.code))).toEqual(['EXIT', 'FRAME_TOO_LARGE']);
  });
  it('with legacy off a little-endian length is FRAME_TOO_LARGE', () => {
    const out = all(serverSideDecoder({ legacy: false }), hex(PY_EXIT));
    expect(out.map((r) => !r.ok && r.error.code)).toEqual(['FRAME_TOO_LARGE']);
  });
  it('ambiguity: a first length of 256 written little-endian (00 01 00 00) reads as big-endian 65,536', () => {
    const dec = serverSideDecoder();
    expect(dec.push(hex('00 01 00 00 53 41 59 00'))).toEqual([]);
    expect(dec.byteOrder).toBe('big-endian');
    expect(dec.bufferedBytes).toBe(8);
  });
});

describe('little-endian SERVER_OPTION port (older Python)', () => {
  it('50 c3 is port 50,000: only the little-endian reading is in 49152–65535', () => {
    expect(decodePdu(hex('70 31 00 10 50 c3'))).toEqual({ ok: true, value: { peerId: 'p1', options: [{ type: 'SERVER_OPTION', port: 50_000 }] } });
  });
  it('with legacy off it is read big-endian (20,675) with a BAD_PORT warning', () => {
    const r = decodePdu(hex('70 31 00 10 50 c3'), { legacy: false });
    expect(r.ok && r.value.options).toEqual([{ type: 'SERVER_OPTION', port: 20_675 }]);
    expect(r.ok && r.warning?.code).toBe('BAD_PORT');
  });
  it('ambiguity: when both readings are in range, big-endian wins (c3 c4 is 50,116)', () => {
    expect(decodePdu(hex('70 31 00 10 c3 c4'))).toEqual({ ok: true, value: { peerId: 'p1', options: [{ type: 'SERVER_OPTION', port: 50_116 }] } });
  });
});

/** The Java server's peer ID when its machine has a MAC address (the legacy SAY above). */
const JAVA_ID = '41 36 43 34 34 43 36 37 45 41 34 35';
/** Java's `toString()` of two byte arrays, `[B@755324e[B@784c7a5d`, where options should be. */
const JAVA_GARBAGE = '5b 42 40 37 35 35 33 32 34 65 5b 42 40 37 38 34 63 37 61 35 64';
/** SERVER_OPTION port 8000 (`1f 40`) and SERVER_CHANNELS `#Gruppe5`. */
const JAVA_HOSTING = '10 1f 40 11 01 23 47 72 75 70 70 65 35 00';

describe('Java server PeerPDUs (docs/protocol.md §7.6)', () => {
  it('an empty peer ID is BAD_NAME unless the caller accepts it', () => {
    const bytes = hex(`00 ${JAVA_HOSTING}`);
    expect(decodePdu(bytes)).toMatchObject({ ok: false, error: { code: 'BAD_NAME' } });
    const r = decodePdu(bytes, { emptyPeerId: true });
    expect(r.ok && r.value).toEqual({ peerId: '', options: [{ type: 'SERVER_OPTION', port: 8_000 }, { type: 'SERVER_CHANNELS', channels: ['#Gruppe5'] }] });
    // Port 8000 is outside 49152–65535 both ways (16,415 little-endian): taken, with a warning.
    expect(r.ok && r.warning?.code).toBe('BAD_PORT');
  });
  it('garbage right after the peer ID keeps the peer ID, with UNKNOWN_OPTION', () => {
    for (const id of [JAVA_ID, '']) {
      const r = decodePdu(hex(`${id} 00 ${JAVA_GARBAGE}`), { emptyPeerId: true });
      expect(r.ok && r.value).toEqual({ peerId: id === '' ? '' : 'A6C44C67EA45', options: [] });
      expect(r.ok && r.warning?.code).toBe('UNKNOWN_OPTION');
    }
  });
  it('garbage after the options keeps the options', () => {
    const r = decodePdu(hex(`${JAVA_ID} 00 ${JAVA_HOSTING} ${JAVA_GARBAGE}`));
    expect(r.ok && r.value.options).toEqual([{ type: 'SERVER_OPTION', port: 8_000 }, { type: 'SERVER_CHANNELS', channels: ['#Gruppe5'] }]);
    expect(r.ok && r.warning?.code).toBe('BAD_PORT');
  });
});

describe('a PDU that stops parsing after some options keeps them (docs/protocol.md §3.4)', () => {
  it('a count running past the end after SERVER_OPTION: the port is kept, PDU_TRUNCATED warning', () => {
    const r = decodePdu(hex('70 31 00 10 c3 50 11 02 23 61 00'));
    expect(r).toMatchObject({ ok: true, value: { peerId: 'p1', options: [{ type: 'SERVER_OPTION', port: 50_000 }] }, warning: { code: 'PDU_TRUNCATED' } });
  });
  it('a bad serverId after a nick: the nick is kept, BAD_NAME warning', () => {
    const r = decodePdu(hex('70 31 00 01 6e 00 02 01 00 00'));
    expect(r).toMatchObject({ ok: true, value: { peerId: 'p1', options: [{ type: 'CLIENT_NICK', nick: 'n' }] }, warning: { code: 'BAD_NAME' } });
  });
  it('port 0 after a nick: the nick is kept, BAD_PORT warning', () => {
    const r = decodePdu(hex('70 31 00 01 6e 00 10 00 00'));
    expect(r).toMatchObject({ ok: true, value: { peerId: 'p1', options: [{ type: 'CLIENT_NICK', nick: 'n' }] }, warning: { code: 'BAD_PORT' } });
  });
  it('the first option damaged still drops the datagram', () => {
    expect(decodePdu(hex('70 31 00 11 02 23 61 00'))).toMatchObject({ ok: false, error: { code: 'PDU_TRUNCATED' } });
  });
});
