import { describe, expect, it } from 'vitest';
import { memoryHistoryStore } from './history-store.js';

const post = (i: number) => ({ authorId: 'a', text: `p${i}`, at: i });

describe('memoryHistoryStore', () => {
  it('returns the newest posts per channel, oldest first', () => {
    const s = memoryHistoryStore({ maxPostsPerChannel: 3 });
    for (let i = 0; i < 100; i++) s.append('#a', post(i));
    s.append('#b', post(0));
    expect(s.commit()).toEqual({ ok: true, posts: 101 });
    const all = s.loadAll(10);
    expect(all.get('#a')?.map((p) => p.at)).toEqual([97, 98, 99]);
    expect(all.get('#b')).toHaveLength(1);
    expect(s.loadAll(2).get('#a')?.map((p) => p.at)).toEqual([98, 99]);
  });

  it('evicts the least recently written channel over the channel cap', () => {
    const s = memoryHistoryStore({ maxChannels: 2 });
    s.append('#a', post(1));
    s.append('#b', post(2));
    s.append('#a', post(3));
    s.append('#c', post(4));
    s.commit();
    expect([...s.loadAll(10).keys()].sort()).toEqual(['#a', '#c']);
  });

  it('stores what was appended only at commit, in one step', () => {
    const s = memoryHistoryStore();
    s.append('#a', post(1));
    expect(s.loadAll(10).size).toBe(0);
    expect(s.commit()).toEqual({ ok: true, posts: 1 });
    expect(s.commit()).toEqual({ ok: true, posts: 0 });
    expect(s.loadAll(10).get('#a')).toEqual([post(1)]);
  });

  it('ignores appends after close', async () => {
    const s = memoryHistoryStore();
    await s.close();
    s.append('#a', post(1));
    s.commit();
    expect(s.loadAll(10).size).toBe(0);
  });

  it('keeps admission lists from commit on, merged per channel, never evicted by posts of other channels', () => {
    const s = memoryHistoryStore({ maxChannels: 1 });
    s.admit?.('@p', ['alice']);
    expect(s.loadAdmissions?.().size).toBe(0);
    s.commit();
    s.admit?.('@p', ['bob', 'alice']);
    s.append('#a', post(1));
    s.append('#b', post(2));
    s.commit();
    expect(s.loadAdmissions?.()).toEqual(new Map([['@p', ['alice', 'bob']]]));
  });
});
