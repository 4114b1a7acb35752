import { describe, expect, it } from 'vitest';
import { hex } from '../test/fixtures.js';
import { DEFAULT_MAX_DATAGRAM_BYTES } from './constants.js';
import { encodeFrame } from './encode-frame.js';
import type { CodecErrorCode } from './errors.js';
import { CodecError } from './errors.js';
import { FrameDecoder } from './frame-decoder.js';
import { decodePdu, encodePdu } from './pdu.js';
import type { Command, Direction, PeerPdu } from './types.js';

/** One fixture per frame error code: bytes, direction, expected code and fatality. */
const frameErrors: readonly { code: CodecErrorCode; why: string; direction: Direction; hex: string; fatal: boolean; atEnd?: boolean }[] = [
  { code: 'FRAME_TOO_LARGE', why: 'length 65,537 > 64 KiB', direction: 'toServer', hex: '00 01 00 01', fatal: true },
  { code: 'FRAME_TRUNCATED', why: 'stream ends 2 bytes into a 5-byte body', direction: 'toServer', hex: '00 00 00 05 45 58', fatal: true, atEnd: true },
  { code: 'EMPTY_FRAME', why: 'zero-length body', direction: 'toServer', hex: '00 00 00 00', fatal: false },
  { code: 'EMPTY_FRAME', why: 'body is a lone NUL', direction: 'toClient', hex: '00 00 00 01 00', fatal: false },
  { code: 'UNKNOWN_COMMAND', why: 'PING', direction: 'toServer', hex: '00 00 00 05 50 49 4e 47 00', fatal: false },
  { code: 'UNKNOWN_COMMAND', why: 'lower-case join', direction: 'toServer', hex: '00 00 00 08 6a 6f 69 6e 00 23 61 00', fatal: false },
  { code: 'WRONG_DIRECTION', why: 'STANDBY sent to a server', direction: 'toServer', hex: '00 00 00 0a 53 54 41 4e 44 42 59 00 78 00', fatal: false },
  { code: 'WRONG_DIRECTION', why: 'JOIN sent to a client', direction: 'toClient', hex: '00 00 00 08 4a 4f 49 4e 00 23 61 00', fatal: false },
  { code: 'MISSING_FIELD', why: 'JOIN without channel', direction: 'toServer', hex: '00 00 00 05 4a 4f 49 4e 00', fatal: false },
  { code: 'MISSING_FIELD', why: 'server SAY without text', direction: 'toClient', hex: '00 00 00 06 53 41 59 00 61 00', fatal: false },
  { code: 'MISSING_FIELD', why: 'INVITE without IDs', direction: 'toServer', hex: '00 00 00 07 49 4e 56 49 54 45 00', fatal: false },
  { code: 'BAD_UTF8', why: 'SAY text 0xff', direction: 'toServer', hex: '00 00 00 06 53 41 59 00 ff 00', fatal: false },
  { code: 'BAD_NAME', why: 'JOIN lobby (no # or @)', direction: 'toServer', hex: '00 00 00 0b 4a 4f 49 4e 00 6c 6f 62 62 79 00', fatal: false },
  { code: 'BAD_NAME', why: 'STANDBY peer ID with a space', direction: 'toClient', hex: '00 00 00 0c 53 54 41 4e 44 42 59 00 61 20 62 00', fatal: false },
];

describe('frame error fixtures', () => {
  for (const f of frameErrors) {
    it(`${f.code}: ${f.why}`, () => {
      const dec = new FrameDecoder<Command>({ direction: f.direction });
      const out = [...dec.push(hex(f.hex)), ...(f.atEnd ? dec.end() : [])];
      expect(out).toHaveLength(1);
      const r = out[0];
      expect(r?.ok).toBe(false);
      if (r && !r.ok) {
        expect(r.error).toBeInstanceOf(CodecError);
        expect(r.error.code).toBe(f.code);
        expect(r.error.fatal).toBe(f.fatal);
      }
      expect(dec.isPoisoned).toBe(f.fatal);
      expect(dec.bufferedBytes).toBe(0);
    });
  }

  it('a per-frame error does not stop the decoder: the next frame still decodes', () => {
    const dec = new FrameDecoder<Command>({ direction: 'toServer' });
    const out = dec.push(new Uint8Array([...hex('00 00 00 05 50 49 4e 47 00'), ...encodeFrame({ cmd: 'EXIT' })]));
    expect(out.map((r) => (r.ok ? r.value.cmd : r.error.code))).toEqual(['UNKNOWN_COMMAND', 'EXIT']);
  });
});

/** One fixture per PDU error or warning code. */
const pduErrors: readonly { code: CodecErrorCode; why: string; bytes: Uint8Array; warning?: PeerPdu }[] = [
  { code: 'PDU_EMPTY', why: 'empty datagram', bytes: hex('') },
  { code: 'PDU_EMPTY', why: 'peer ID without NUL', bytes: hex('70 31') },
  { code: 'PDU_TRUNCATED', why: 'count 3, one channel present', bytes: hex('70 31 00 11 03 23 61 00') },
  { code: 'PDU_TRUNCATED', why: 'port cut after one byte', bytes: hex('70 31 00 10 c3') },
  { code: 'PDU_TRUNCATED', why: 'nick without NUL', bytes: hex('70 31 00 01 6e 69') },
  { code: 'PDU_TRUNCATED', why: 'membership count without servers', bytes: hex('70 31 00 02 01') },
  { code: 'PDU_TOO_LARGE', why: `datagram of ${DEFAULT_MAX_DATAGRAM_BYTES + 1} bytes`, bytes: new Uint8Array(DEFAULT_MAX_DATAGRAM_BYTES + 1).fill(0x41) },
  { code: 'BAD_PORT', why: 'SERVER_OPTION port 0', bytes: hex('70 31 00 10 00 00') },
  { code: 'BAD_NAME', why: 'peer ID with a space', bytes: hex('70 20 31 00') },
  { code: 'BAD_NAME', why: 'empty serverId in CLIENT_MEMBERSHIP', bytes: hex('70 31 00 02 01 00 00') },
  { code: 'BAD_UTF8', why: 'nick 0xff', bytes: hex('70 31 00 01 ff 00') },
  {
    code: 'UNKNOWN_OPTION',
    why: 'option 0x7f after a nick: the nick is kept',
    bytes: hex('70 31 00 01 6e 00 7f 01 02'),
    warning: { peerId: 'p1', options: [{ type: 'CLIENT_NICK', nick: 'n' }] },
  },
  {
    code: 'BAD_PORT',
    why: 'SERVER_OPTION port 80 (outside 49152–65535 both ways): kept with a warning',
    bytes: hex('70 31 00 10 00 50'),
    warning: { peerId: 'p1', options: [{ type: 'SERVER_OPTION', port: 80 }] },
  },
  {
    code: 'BAD_NAME',
    why: 'private channel in SERVER_CHANNELS: skipped, the rest kept',
    bytes: hex('70 31 00 11 02 40 61 00 23 62 00'),
    warning: { peerId: 'p1', options: [{ type: 'SERVER_CHANNELS', channels: ['#b'] }] },
  },
  {
    code: 'BAD_NAME',
    why: 'SERVER_INVITE for a private channel: the option is skipped',
    bytes: hex('70 31 00 12 40 61 00 01 63 00 01 6e 00'),
    warning: { peerId: 'p1', options: [{ type: 'CLIENT_NICK', nick: 'n' }] },
  },
];

describe('PDU error fixtures', () => {
  for (const f of pduErrors) {
    it(`${f.code}: ${f.why}`, () => {
      const r = decodePdu(f.bytes);
      if (f.warning) {
        expect(r.ok).toBe(true);
        if (r.ok) {
          expect(r.value).toEqual(f.warning);
          expect(r.warning?.code).toBe(f.code);
        }
      } else {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.code).toBe(f.code);
      }
    });
  }

  it('honours a smaller maxDatagramBytes', () => {
    const r = decodePdu(hex('70 31 00 01 6e 00'), { maxDatagramBytes: 5 });
    expect(!r.ok && r.error.code).toBe('PDU_TOO_LARGE');
  });
});

/** Encoders throw INVALID_VALUE on values the wire cannot carry: our bug, not the peer's. */
const badCommands: readonly [string, Command][] = [
  ['NUL inside SAY text', { cmd: 'SAY', text: 'a\0b' }],
  ['lone surrogate in SAY text', { cmd: 'SAY', text: 'a\ud800' }],
  ['empty INVITE', { cmd: 'INVITE', clientIds: [] }],
  ['INVITE with an empty ID', { cmd: 'INVITE', clientIds: [''] }],
  ['channel without prefix', { cmd: 'JOIN', channel: 'lobby' }],
  ['channel that is only a prefix', { cmd: 'JOIN', channel: '#' }],
  ['channel with a space', { cmd: 'JOIN', channel: '#a b' }],
  ['non-ASCII channel', { cmd: 'JOIN', channel: '#café' }],
  ['clientId with NUL', { cmd: 'JOIN', channel: '#a', clientId: 'a\0' }],
  ['STANDBY with empty peer ID', { cmd: 'STANDBY', peerId: '' }],
  ['server SAY with bad author', { cmd: 'SAY', authorId: 'a b', text: 'x' }],
  ['ERROR reason with NUL', { cmd: 'ERROR', reason: '\0' }],
];
const badPdus: readonly [string, PeerPdu][] = [
  ['private channel in SERVER_CHANNELS', { peerId: 'p', options: [{ type: 'SERVER_CHANNELS', channels: ['@secret'] }] }],
  ['private channel in CLIENT_MEMBERSHIP', { peerId: 'p', options: [{ type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 's', channels: ['@x'] }] }] }],
  ['private channel in SERVER_INVITE', { peerId: 'p', options: [{ type: 'SERVER_INVITE', channel: '@x', clientIds: ['c'] }] }],
  ['port 0', { peerId: 'p', options: [{ type: 'SERVER_OPTION', port: 0 }] }],
  ['port 65,536', { peerId: 'p', options: [{ type: 'SERVER_OPTION', port: 65_536 }] }],
  ['256 channels in one count', { peerId: 'p', options: [{ type: 'SERVER_CHANNELS', channels: Array.from({ length: 256 }, (_, i) => `#${i}`) }] }],
  ['empty peer ID', { peerId: '', options: [] }],
  ['nick with NUL', { peerId: 'p', options: [{ type: 'CLIENT_NICK', nick: 'a\0' }] }],
];

describe('encoders reject bad values with INVALID_VALUE', () => {
  for (const [why, cmd] of badCommands) {
    it(`encodeFrame: ${why}`, () => {
      expect(() => encodeFrame(cmd)).toThrow(expect.objectContaining({ code: 'INVALID_VALUE' }));
    });
  }
  for (const [why, pdu] of badPdus) {
    it(`encodePdu: ${why}`, () => {
      expect(() => encodePdu(pdu)).toThrow(expect.objectContaining({ code: 'INVALID_VALUE' }));
    });
  }
});
