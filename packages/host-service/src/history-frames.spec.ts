import { encodeFrame } from '@ims/codec';
import { historySay, type Post } from '@ims/channel-core';
import { describe, expect, it } from 'vitest';
import { HistoryFrames } from './history-frames.js';

const concat = (frames: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.byteLength, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.byteLength;
  }
  return out;
};

describe('HistoryFrames', () => {
  it('returns the bytes encodeFrame gives, the same ones again for the same post, fresh ones for another author or time', () => {
    const cache = new HistoryFrames();
    const post: Post = { authorId: 'a', text: 'hello', at: 5 };
    const first = cache.encode(post);
    expect(first).toEqual(encodeFrame({ cmd: 'SAY', authorId: 'a', text: 'hello', at: 5 }));
    expect(cache.encode({ ...post })).toBe(first);
    expect(cache.encode({ ...post, authorId: 'b' })).toEqual(encodeFrame(historySay({ ...post, authorId: 'b' })));
    expect(cache.encode({ ...post, at: 6 })).toEqual(encodeFrame(historySay({ ...post, at: 6 })));
  });

  it("adds the author's last announced nick after the time (docs/protocol.md §2.8), kept after the author left", () => {
    const cache = new HistoryFrames();
    const post: Post = { authorId: 'a', text: 'hello', at: 5 };
    expect(cache.encode(post)).toEqual(encodeFrame({ cmd: 'SAY', authorId: 'a', text: 'hello', at: 5 }));
    cache.noteNicks([{ id: 'a', nick: 'alice' }, { id: 'srv', nick: undefined }]);
    expect(cache.encode(post)).toEqual(encodeFrame({ cmd: 'SAY', authorId: 'a', text: 'hello', at: 5, nick: 'alice' }));
    cache.noteNicks([]);
    expect(cache.encode(post)).toEqual(encodeFrame({ cmd: 'SAY', authorId: 'a', text: 'hello', at: 5, nick: 'alice' }));
    cache.noteNicks([{ id: 'a', nick: 'alicia' }]);
    expect(cache.encode({ ...post })).toEqual(encodeFrame({ cmd: 'SAY', authorId: 'a', text: 'hello', at: 5, nick: 'alicia' }));
    // A nick the wire cannot carry (a lone surrogate) never costs the post: it goes without.
    cache.noteNicks([{ id: 'b', nick: 'x\ud800' }]);
    expect(cache.encode({ authorId: 'b', text: 'hi', at: 1 })).toEqual(encodeFrame({ cmd: 'SAY', authorId: 'b', text: 'hi', at: 1 }));
  });

  it('does not keep large frames, and stays bounded', () => {
    const cache = new HistoryFrames();
    cache.encode({ authorId: 'a', text: 'x'.repeat(2_000), at: 1 });
    expect(cache.size).toBe(0);
    for (let i = 0; i < 20_000; i++) cache.encode({ authorId: 'a', text: `post ${i}`, at: i });
    expect(cache.size).toBeLessThanOrEqual(16_384);
  });

  it('replays posts as one buffer: their frames in order; a post the wire cannot carry is left out and reported', () => {
    const cache = new HistoryFrames();
    const posts: Post[] = [
      { authorId: 'a', text: 'one', at: 1 },
      { authorId: 'bad id', text: 'two', at: 2 },
      { authorId: 'b', text: 'three', at: 3 },
    ];
    const errors: unknown[] = [];
    const bytes = cache.replay(posts, (err) => errors.push(err));
    expect(bytes).toEqual(concat([posts[0], posts[2]].map((p) => encodeFrame(historySay(p as Post)))));
    expect(errors).toHaveLength(1);
    expect(cache.replay([], () => undefined).byteLength).toBe(0);
  });
});
