import { describe, expect, it } from 'vitest';
import { decodeBody } from './decode-body.js';

const body = (...fields: string[]): Uint8Array => new TextEncoder().encode(fields.map((f) => `${f}\0`).join(''));

describe('decodeBody', () => {
  it('ignores unknown extra fields (docs/protocol.md §2)', () => {
    expect(decodeBody(body('EXIT', 'extra'), 'toServer')).toEqual({ ok: true, value: { cmd: 'EXIT' } });
    expect(decodeBody(body('JOIN', '#a', 'id', 'more'), 'toServer')).toEqual({ ok: true, value: { cmd: 'JOIN', channel: '#a', clientId: 'id' } });
    expect(decodeBody(body('STANDBY', 'p', 'x'), 'toClient')).toEqual({ ok: true, value: { cmd: 'STANDBY', peerId: 'p' } });
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
