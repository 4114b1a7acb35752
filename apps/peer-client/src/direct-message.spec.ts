import { describe, expect, it } from 'vitest';
import { directChannel, newDirectMessages, type HostedChannel } from './direct-message.js';

describe('direct messages', () => {
  it('names the chat of two peers the same from both sides, a valid private name', () => {
    expect(directChannel('alice-id', 'bob-id')).toBe(directChannel('bob-id', 'alice-id'));
    expect(directChannel('alice-id', 'bob-id')).not.toBe(directChannel('alice-id', 'carol-id'));
    expect(directChannel('a', 'b')).toMatch(/^@msg\.[0-9a-f]{24}$/);
  });

  it('tells of a chat for me on my host once it has posts, once per new post, never when I am in it', () => {
    const dm = directChannel('me', 'bob');
    const ch = (over: Partial<HostedChannel>): HostedChannel => ({ name: dm, private: true, members: [{ id: 'bob' }], historyLength: 1, ...over });
    const told = new Map<string, number>();
    const none = (): boolean => false;
    expect(newDirectMessages('me', [ch({ historyLength: 0 })], told, none)).toEqual([]);
    expect(newDirectMessages('me', [ch({})], told, none)).toEqual([{ channel: dm, from: 'bob' }]);
    expect(newDirectMessages('me', [ch({})], told, none)).toEqual([]);
    expect(newDirectMessages('me', [ch({ historyLength: 2 })], told, () => true)).toEqual([]);
    expect(newDirectMessages('me', [ch({ historyLength: 2, members: [{ id: 'bob' }, { id: 'me' }] })], told, none)).toEqual([]);
    expect(newDirectMessages('me', [ch({ historyLength: 3 })], told, none)).toHaveLength(1);
    // Someone else's pair on my host, a public channel, a name that is not ours: nothing.
    expect(newDirectMessages('me', [ch({ name: directChannel('bob', 'carol'), historyLength: 9 }), ch({ name: '#msg', private: false, historyLength: 9 })], told, none)).toEqual([]);
  });
});
