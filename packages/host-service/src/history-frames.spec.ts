import { encodeFrame } from '@ims/codec';
import { describe, expect, it } from 'vitest';
import { HistoryFrames } from './history-frames.js';

describe('HistoryFrames', () => {
  it('returns the bytes encodeFrame gives, the same ones again for the same post, fresh ones for another author or time', () => {
    const cache = new HistoryFrames();
    const say = { cmd: 'SAY' as const, authorId: 'a', text: 'hello', at: 5 };
    const first = cache.encode(say, 5);
    expect(first).toEqual(encodeFrame(say));
    expect(cache.encode({ ...say }, 5)).toBe(first);
    const other = cache.encode({ ...say, authorId: 'b' }, 5);
    expect(other).toEqual(encodeFrame({ ...say, authorId: 'b' }));
    expect(cache.encode({ ...say, at: 6 }, 6)).toEqual(encodeFrame({ ...say, at: 6 }));
  });

  it('does not keep large frames, and stays bounded', () => {
    const cache = new HistoryFrames();
    cache.encode({ cmd: 'SAY', authorId: 'a', text: 'x'.repeat(2_000), at: 1 }, 1);
    expect(cache.size).toBe(0);
    for (let i = 0; i < 20_000; i++) cache.encode({ cmd: 'SAY', authorId: 'a', text: `post ${i}`, at: i }, i);
    expect(cache.size).toBeLessThanOrEqual(16_384);
  });
});
