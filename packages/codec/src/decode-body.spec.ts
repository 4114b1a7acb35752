import { describe, expect, it } from 'vitest';
import { MAX_CHANNEL_NAME_BYTES, MAX_SUCCESSORS } from './constants.js';
import { decodeBody } from './decode-body.js';
import { encodeFrame } from './encode-frame.js';

const body = (...fields: string[]): Uint8Array => new TextEncoder().encode(fields.map((f) => `${f}\0`).join(''));

describe('decodeBody', () => {
  it('ignores unknown extra fields (docs/protocol.md §2)', () => {
    expect(decodeBody(body('EXIT', 'extra'), 'toServer')).toEqual({ ok: true, value: { cmd: 'EXIT' } });
    expect(decodeBody(body('JOIN', '#a', 'id', 'more'), 'toServer')).toEqual({ ok: true, value: { cmd: 'JOIN', channel: '#a', clientId: 'id' } });
    expect(decodeBody(body('STANDBY', 'p'), 'toClient')).toEqual({ ok: true, value: { cmd: 'STANDBY', peerId: 'p' } });
    expect(decodeBody(body('SAY', 'a', 'hi', 'garbage[B@7553'), 'toClient')).toEqual({ ok: true, value: { cmd: 'SAY', authorId: 'a', text: 'hi' } });
  });

  it('reads the time of a server SAY (docs/protocol.md §2.8), ignoring one that is not a decimal safe integer', () => {
    expect(decodeBody(body('SAY', 'a', 'hi', '1764600000123'), 'toClient')).toEqual({ ok: true, value: { cmd: 'SAY', authorId: 'a', text: 'hi', at: 1764600000123 } });
    for (const bad of ['', '-1', '1e3', '12.5', '99999999999999999', ' 12']) {
      expect(decodeBody(body('SAY', 'a', 'hi', bad), 'toClient')).toEqual({ ok: true, value: { cmd: 'SAY', authorId: 'a', text: 'hi' } });
    }
  });

  it('reads STANDBY successors (docs/protocol.md §2.8): distinct non-empty IDs, at most MAX_SUCCESSORS', () => {
    expect(decodeBody(body('STANDBY', 'p', 'x', '', 'y', 'x'), 'toClient')).toEqual({ ok: true, value: { cmd: 'STANDBY', peerId: 'p', successors: ['x', 'y'] } });
    const many = Array.from({ length: 20 }, (_, i) => `s${i}`);
    const r = decodeBody(body('STANDBY', 'p', ...many), 'toClient');
    expect(r.ok && r.value.cmd === 'STANDBY' && r.value.successors).toEqual(many.slice(0, MAX_SUCCESSORS));
  });

  it('refuses a JOIN whose channel name is over MAX_CHANNEL_NAME_BYTES as BAD_NAME, naming the limit', () => {
    const ok = `#${'x'.repeat(MAX_CHANNEL_NAME_BYTES - 1)}`;
    expect(decodeBody(body('JOIN', ok, 'id'), 'toServer')).toEqual({ ok: true, value: { cmd: 'JOIN', channel: ok, clientId: 'id' } });
    const r = decodeBody(body('JOIN', `#${'x'.repeat(1_499)}`, 'id'), 'toServer');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('BAD_NAME');
      expect(r.error.fatal).toBe(false);
      expect(r.error.message).toContain(`${MAX_CHANNEL_NAME_BYTES}-byte limit`);
    }
  });

  it('treats an empty JOIN clientId field as absent', () => {
    expect(decodeBody(body('JOIN', '#a', ''), 'toServer')).toEqual({ ok: true, value: { cmd: 'JOIN', channel: '#a' } });
  });

  it('keeps NUL-free empty texts and every Unicode plane', () => {
    expect(decodeBody(body('ERROR', ''), 'toClient')).toEqual({ ok: true, value: { cmd: 'ERROR', reason: '' } });
    expect(decodeBody(body('SAY', 'a', '日本 𝄞'), 'toClient')).toEqual({ ok: true, value: { cmd: 'SAY', authorId: 'a', text: '日本 𝄞' } });
  });

  it('rejects an overlong UTF-8 encoding and a lone surrogate encoded in UTF-8 as BAD_UTF8', () => {
    for (const bad of [[0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const b = new Uint8Array([0x53, 0x41, 0x59, 0, ...bad, 0]);
      const r = decodeBody(b, 'toServer');
      expect(!r.ok && r.error.code).toBe('BAD_UTF8');
    }
  });

  it('rejects an empty INVITE ID as BAD_NAME', () => {
    const r = decodeBody(body('INVITE', 'a', ''), 'toServer');
    expect(!r.ok && r.error.code).toBe('BAD_NAME');
  });
});

const concatBytes = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
};

describe('encodeFrame extensions (docs/protocol.md §2.8)', () => {
  const bodyOf = (frame: Uint8Array): Uint8Array => frame.subarray(4);
  it('round-trips a timed SAY and a STANDBY with successors', () => {
    const say = { cmd: 'SAY', authorId: 'a', text: 'hi', at: 1764600000123 } as const;
    expect(decodeBody(bodyOf(encodeFrame(say)), 'toClient')).toEqual({ ok: true, value: say });
    const standby = { cmd: 'STANDBY', peerId: 'p', successors: ['q', 'r'] } as const;
    expect(decodeBody(bodyOf(encodeFrame(standby)), 'toClient')).toEqual({ ok: true, value: standby });
  });
  it("carries a history SAY's author nick after its time, and ignores a nick another implementation put there", () => {
    const say = { cmd: 'SAY', authorId: 'a', text: 'hi', at: 1764600000123, nick: 'Zoë' } as const;
    expect(bodyOf(encodeFrame(say))).toEqual(body('SAY', 'a', 'hi', '1764600000123', 'Zoë'));
    expect(decodeBody(bodyOf(encodeFrame(say)), 'toClient')).toEqual({ ok: true, value: say });
    const plain = { ok: true, value: { cmd: 'SAY', authorId: 'a', text: 'hi', at: 5 } };
    expect(decodeBody(body('SAY', 'a', 'hi', '5', ''), 'toClient')).toEqual(plain);
    expect(decodeBody(concatBytes(body('SAY', 'a', 'hi', '5'), new Uint8Array([0xff, 0])), 'toClient')).toEqual(plain);
    // Without a time the fourth field is not read as a nick: a plain peer's extra fields are ignored.
    expect(decodeBody(body('SAY', 'a', 'hi', 'x', 'nick'), 'toClient')).toEqual({ ok: true, value: { cmd: 'SAY', authorId: 'a', text: 'hi' } });
    expect(() => encodeFrame({ cmd: 'SAY', authorId: 'a', text: 'hi', nick: 'n' })).toThrow(/needs at/);
    expect(() => encodeFrame({ cmd: 'SAY', authorId: 'a', text: 'hi', at: 1, nick: '' })).toThrow(/empty/);
    expect(() => encodeFrame({ cmd: 'SAY', authorId: 'a', text: 'hi', at: 1, nick: 'a\0b' })).toThrow();
  });
  it('refuses a time or successor list the wire cannot carry', () => {
    expect(() => encodeFrame({ cmd: 'SAY', authorId: 'a', text: 'hi', at: -1 })).toThrow(/at must be/);
    expect(() => encodeFrame({ cmd: 'STANDBY', peerId: 'p', successors: Array.from({ length: MAX_SUCCESSORS + 1 }, (_, i) => `s${i}`) })).toThrow(/at most/);
    expect(() => encodeFrame({ cmd: 'STANDBY', peerId: 'p', successors: [''] })).toThrow(/successor/);
  });
});
