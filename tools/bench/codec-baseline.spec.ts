import { decodePdu, encodeFrame, encodePdu, serverSideDecoder } from '@ims/codec';
import { describe, expect, it } from 'vitest';
import { baselineDecode, baselineDecodePdu, baselineEncode } from './suites/codec/baseline.js';

// The baseline must do the same job as the codec, or the ratio means nothing.
describe('codec benchmark baselines', () => {
  const frames = [encodeFrame({ cmd: 'SAY', text: 'hello' }), encodeFrame({ cmd: 'JOIN', channel: '#a' }), encodeFrame({ cmd: 'EXIT' })];
  const stream = new Uint8Array(frames.reduce((a, f) => a + f.length, 0));
  frames.reduce((pos, f) => (stream.set(f, pos), pos + f.length), 0);

  it('baselineDecode counts the frames the codec decodes, at every split point', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const chunks = [stream.subarray(0, cut), stream.subarray(cut)];
      const dec = serverSideDecoder();
      expect(baselineDecode(chunks), `cut ${cut}`).toBe(chunks.flatMap((c) => dec.push(c)).length);
    }
  });

  it('baselineEncode writes the same bytes as encodeFrame', () => {
    expect(baselineEncode(['SAY', 'hello'])).toEqual(encodeFrame({ cmd: 'SAY', text: 'hello' }));
  });

  it('baselineDecodePdu reads every string the codec reads', () => {
    const d = encodePdu({ peerId: 'p', options: [{ type: 'CLIENT_NICK', nick: 'n' }, { type: 'SERVER_OPTION', port: 50_000 }, { type: 'SERVER_CHANNELS', channels: ['#a', '#b'] }] });
    expect(decodePdu(d).ok).toBe(true);
    expect(baselineDecodePdu(d)).toBe(4);
  });
});
