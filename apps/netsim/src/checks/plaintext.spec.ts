import { describe, expect, it } from 'vitest';
import { checkNoPlaintext, knownPlaintext } from './plaintext.js';
import type { SimEvent } from './log.js';

const capture = (from: Record<string, string>): { frames: number; bytes: number; from: Map<string, Buffer> } => ({
  frames: Object.keys(from).length,
  bytes: 0,
  from: new Map(Object.entries(from).map(([h, t]) => [h, Buffer.from(t)])),
});

describe('noPlaintext', () => {
  it('collects typed posts, channel names and nicks once each', () => {
    const events: SimEvent[] = [{ t: 1, host: 'alice', source: 'netsim', event: 'post', data: { text: 'hello there [1]' } }];
    expect(knownPlaintext(events, [{ channel: '#room', nick: 'alice' }, { channel: '#room', nick: 'bob-reader' }])).toEqual(['#room', 'alice', 'bob-reader', 'hello there [1]']);
  });

  it("adds the secure hosts' peer IDs", () => {
    const events: SimEvent[] = [{ t: 1, host: 'run', source: 'netsim', event: 'secure', data: { ids: { s1: 'kaaaa', alice: 'kbbbb' } } }];
    expect(knownPlaintext(events, [])).toEqual(['kaaaa', 'kbbbb']);
  });

  it('names each known string found in clear and who sent it, leaving out the hostile peer', () => {
    const r = checkNoPlaintext(capture({ s1: 'xx#secret-room yy', alice: '...#secret-room', eve: 'hello there [1]' }), ['#secret-room', 'hello there [1]'], ['eve']);
    expect(r).toEqual({ ok: false, checked: 2, frames: 3, problems: ['"#secret-room" in clear, sent by s1, alice'] });
  });

  it('passes on ciphertext, and never on an empty capture or nothing long enough to search', () => {
    expect(checkNoPlaintext(capture({ s1: '\x17\x03\x03 sealed bytes' }), ['#secret-room'], []).ok).toBe(true);
    expect(checkNoPlaintext(undefined, ['#secret-room'], []).ok).toBe(false);
    expect(checkNoPlaintext(capture({}), ['#secret-room'], []).ok).toBe(false);
    expect(checkNoPlaintext(capture({ s1: 'bob' }), ['bob'], [])).toMatchObject({ ok: false, checked: 0 });
  });
});
