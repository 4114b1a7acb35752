import { describe, expect, it } from 'vitest';
import type { Post } from '../types.js';
import { harness, noLogs, received } from './host-harness.js';
import { RESEND_WINDOW_MS, mergeHistory } from './merge.js';

const post = (authorId: string, text: string, at: number): Post => ({ authorId, text, at });
const texts = (posts: readonly { text: string }[]): string[] => posts.map((p) => p.text);

describe('mergeHistory', () => {
  it('inserts the missing posts in time order, ours first on equal times', () => {
    const history = [post('a', 'a1', 10), post('a', 'a2', 30)];
    const { posts, added } = mergeHistory(history, [post('b', 'b1', 20), post('b', 'b2', 30), post('b', 'b3', 40)], 10, 99);
    expect(texts(posts)).toEqual(['a1', 'b1', 'a2', 'b2', 'b3']);
    expect(texts(added)).toEqual(['b1', 'b2', 'b3']);
  });

  it('matches (author, text) as a multiset, whatever the times', () => {
    // The takeover copy stamped the same posts at its members' arrival times.
    const history = [post('a', 'ok', 12), post('b', 'x', 13)];
    const pulled = [post('a', 'ok', 10), post('a', 'ok', 11), post('b', 'x', 5), post('c', 'ok', 14)];
    const { posts, added } = mergeHistory(history, pulled, 10, 99);
    // Repeats match newest first: the older pulled 'ok' is the one this history lacks.
    expect(added).toEqual([post('a', 'ok', 10), post('c', 'ok', 14)]);
    // Matched posts take the earlier of the two times: b's "x" moves first.
    expect(posts.map((p) => `${p.authorId}:${p.at}`)).toEqual(['b:5', 'a:10', 'a:11', 'c:14']);
  });

  it('puts a post without a time after what precedes it in the pulled order', () => {
    const history = [post('a', 'one', 10), post('a', 'two', 20), post('a', 'three', 30)];
    const pulled = [{ authorId: 'z', text: 'first' }, { authorId: 'a', text: 'two' }, { authorId: 'z', text: 'after two' }, { authorId: 'z', text: 'and then' }];
    const { posts, added } = mergeHistory(history, pulled, 10, 99);
    expect(texts(posts)).toEqual(['first', 'one', 'two', 'after two', 'and then', 'three']);
    // Each takes the time of its place, so the store keeps the order.
    expect(added.map((p) => p.at)).toEqual([10, 20, 20]);
  });

  it('keeps the newest `limit` posts: an added post older than that window is not added', () => {
    const history = [post('a', '2', 20), post('a', '3', 30)];
    const { posts, added } = mergeHistory(history, [post('b', 'old', 1), post('b', 'new', 25)], 3, 99);
    expect(texts(posts)).toEqual(['2', 'new', '3']);
    expect(texts(added)).toEqual(['new']);
    expect(mergeHistory(history, [post('b', 'x', 1)], 0, 99)).toMatchObject({ posts: [], added: [] });
  });

  it('adds nothing when the pulled copy holds nothing new', () => {
    const history = [post('a', '1', 1), post('b', '2', 2)];
    expect(mergeHistory(history, [post('b', '2', 7)], 10, 99)).toEqual({ posts: history, added: [], changed: false });
  });

  it('puts a post of ours back at the earlier time the other copy accepted it (a member re-sent it here)', () => {
    const history = [post('a', 'one', 10), post('b', 'resent', 50), post('a', 'two', 60)];
    const { posts, added, changed } = mergeHistory(history, [post('b', 'resent', 20), post('b', 'theirs', 30)], 10, 99);
    expect(posts.map((p) => `${p.text}@${p.at}`)).toEqual(['one@10', 'resent@20', 'theirs@30', 'two@60']);
    expect(texts(added)).toEqual(['theirs']);
    expect(changed).toBe(true);
    expect(mergeHistory(posts, [post('b', 'resent', 20), post('b', 'theirs', 30)], 10, 99).changed).toBe(false);
  });
});

describe('host: merge input (docs/protocol.md §5.8)', () => {
  it('adds the missing posts to a live channel, sends them live to every member and persists them', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.say('c1', 'mine'); // at 1_001
    h.join('c2', '#a', 'bob');
    const fx = h.host.handle({ kind: 'merge', channel: '#a', posts: [post('zed', 'theirs', 900), post('alice', 'mine', 950), post('zed', 'later', 2_000)] });
    expect(noLogs(fx)).toEqual([
      { kind: 'broadcast', conns: ['c1', 'c2'], command: { cmd: 'SAY', authorId: 'zed', text: 'theirs' } },
      { kind: 'persist', channel: '#a', post: post('zed', 'theirs', 900) },
      { kind: 'broadcast', conns: ['c1', 'c2'], command: { cmd: 'SAY', authorId: 'zed', text: 'later' } },
      { kind: 'persist', channel: '#a', post: post('zed', 'later', 2_000) },
    ]);
    expect(fx.find((e) => e.kind === 'log')).toMatchObject({ level: 'info', event: 'merged', fields: { channel: '#a', live: true, pulled: 3, added: 2 } });
    // A newcomer gets the union, in time order, once each.
    const history = received(h.join('c3', '#a', 'carol'), 'c3').filter((c) => c.cmd === 'SAY');
    expect(history).toEqual([
      { cmd: 'SAY', authorId: 'zed', text: 'theirs', at: 900 },
      // The other copy accepted it earlier: that time wins.
      { cmd: 'SAY', authorId: 'alice', text: 'mine', at: 950 },
      { cmd: 'SAY', authorId: 'zed', text: 'later', at: 2_000 },
    ]);
  });

  it('merged twice, adds once', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    const input = { kind: 'merge', channel: '#a', posts: [post('zed', 'theirs', 900)] } as const;
    expect(noLogs(h.host.handle(input))).toHaveLength(2);
    expect(noLogs(h.host.handle(input))).toEqual([]);
    expect(h.host.snapshot().channels[0]?.historyLength).toBe(1);
  });

  it('swallows a re-send of an added post by its author (it showed the broadcast as its echo), within the window, once', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.join('c2', '#a', 'bob');
    h.host.handle({ kind: 'merge', channel: '#a', posts: [post('bob', 'moved', 900), post('bob', 'moved', 901)] });
    const absorbed = h.say('c2', 'moved');
    expect(noLogs(absorbed)).toEqual([]);
    expect(absorbed).toContainEqual(expect.objectContaining({ kind: 'log', event: 'resend-absorbed' }));
    expect(noLogs(h.say('c2', 'moved'))).toEqual([]);
    // Both re-sends swallowed: the third is a new post, as is the same text from someone else.
    expect(noLogs(h.say('c2', 'moved'))).toHaveLength(2);
    expect(noLogs(h.say('c1', 'moved'))).toHaveLength(2);
  });

  it('expects no re-send after the window, nor from a member that joined long before the merge', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.tick(RESEND_WINDOW_MS + 1);
    h.join('c2', '#a', 'bob');
    h.host.handle({ kind: 'merge', channel: '#a', posts: [post('alice', 'old', 1), post('bob', 'fresh', 2)] });
    expect(noLogs(h.say('c1', 'old'))).toHaveLength(2);
    h.tick(RESEND_WINDOW_MS + 1);
    expect(noLogs(h.say('c2', 'fresh'))).toHaveLength(2);
  });

  it('merges into the archive of a channel that is not live, for the JOIN that recreates it', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.say('c1', 'kept');
    h.closed('c1');
    const fx = h.host.handle({ kind: 'merge', channel: '#a', posts: [post('zed', 'theirs', 5_000)] });
    expect(noLogs(fx)).toEqual([{ kind: 'persist', channel: '#a', post: post('zed', 'theirs', 5_000) }]);
    const history = received(h.join('c2', '#a', 'bob'), 'c2').filter((c) => c.cmd === 'SAY');
    expect(history.map((c) => (c.cmd === 'SAY' ? c.text : ''))).toEqual(['kept', 'theirs']);
  });

  it('keeps a closed private channel’s admission list when merging into its archive', () => {
    const h = harness();
    h.join('c1', '@p', 'alice');
    h.closed('c1');
    h.host.handle({ kind: 'merge', channel: '@p', posts: [post('zed', 'x', 1)] });
    const fx = h.join('c2', '@p', 'eve');
    expect(received(fx, 'c2')[0]).toMatchObject({ cmd: 'ERROR' });
  });
});
