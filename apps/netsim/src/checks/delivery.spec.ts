import { describe, expect, it } from 'vitest';
import { checkExactlyOnce, checkHistory } from './delivery.js';
import { logBuilder } from './test-log.js';

const room = new Map([
  ['alice', '#room'],
  ['bob', '#room'],
  ['carol', '#room'],
]);

function chat() {
  const b = logBuilder().start('s1', 'alice', 'bob').joined('alice', 's1').joined('bob', 's1');
  b.post('alice', 'a1').deliver('alice', 'a1', ['alice', 'bob']);
  b.post('bob', 'b1').deliver('bob', 'b1', ['bob', 'alice']);
  return b;
}

describe('checkExactlyOnce', () => {
  it('accepts every post delivered once to every member in one order', () => {
    expect(checkExactlyOnce(chat().events, room)).toEqual({ ok: true, problems: [] });
  });

  it('reports a duplicate', () => {
    const b = chat().say('bob', 'alice', 'a1');
    expect(checkExactlyOnce(b.events, room).problems).toEqual(['bob saw alice: "a1" 2 times']);
  });

  it('reports a lost post of a live author', () => {
    const b = chat().post('alice', 'a2').deliver('alice', 'a2', ['alice']);
    expect(checkExactlyOnce(b.events, room).problems).toEqual(['bob never saw alice: "a2"']);
  });

  it('reports members that disagree on the order', () => {
    const b = chat().post('alice', 'a2').post('bob', 'b2');
    b.deliver('alice', 'a2', ['alice']).deliver('bob', 'b2', ['alice', 'bob']).deliver('alice', 'a2', ['bob']);
    expect(checkExactlyOnce(b.events, room).problems).toEqual(['bob and alice disagree on s1\'s order at shared post 3: bob: "b2" vs alice: "a2"']);
  });

  it('forgives the loss of a post whose author was killed before its echo, but not a duplicate of it', () => {
    const b = chat().post('carol', 'c1').sim('carol', 'exit', { code: null, signal: 'SIGKILL', expected: true });
    expect(checkExactlyOnce(b.events, room).ok).toBe(true);
    b.deliver('carol', 'c1', ['alice', 'alice']);
    expect(checkExactlyOnce(b.events, room).problems).toEqual(['alice saw carol: "c1" 2 times']);
  });

  it('counts history and live posts together across a failover', () => {
    const b = chat().sim('s1', 'kill').app('alice', 'failover', { host: 's2', from: 's1' }).app('bob', 'failover', { host: 's2', from: 's1' });
    b.say('bob', 'alice', 'a1', 'history');
    expect(checkExactlyOnce(b.events, room).problems).toEqual(['bob saw alice: "a1" 2 times']);
  });

  it('ignores members that left or are not running', () => {
    const b = chat().post('alice', 'a2').deliver('alice', 'a2', ['alice']).sim('bob', 'exit', { code: 0, signal: null, expected: true });
    expect(checkExactlyOnce(b.events, room).ok).toBe(true);
  });
});

describe('checkHistory', () => {
  it('requires earlier posts as history for a late joiner', () => {
    const b = chat().start('carol').say('carol', 'alice', 'a1', 'history').joined('carol', 's1');
    expect(checkHistory(b.events, room, ['carol']).problems).toEqual(['carol did not get bob: "b1" as history']);
    b.say('carol', 'bob', 'b1', 'history');
    expect(checkHistory(b.events, room, ['carol'])).toEqual({ ok: true, problems: [] });
  });

  it('does not take live posts for history', () => {
    const b = chat().start('carol').joined('carol', 's1').say('carol', 'alice', 'a1').say('carol', 'bob', 'b1');
    expect(checkHistory(b.events, room, ['carol']).ok).toBe(false);
  });
});

describe('checkExactlyOnce across a partition', () => {
  it('compares order only among posts that came from the same host', () => {
    const b = chat();
    // Partition: alice stays on s1, bob moves to s2; each side posts; after the heal bob returns.
    b.app('bob', 'failover', { host: 's2', from: 's1' });
    b.post('alice', 'a2').deliver('alice', 'a2', ['alice']);
    b.post('bob', 'b2').deliver('bob', 'b2', ['bob']);
    b.app('bob', 'failover', { host: 's1', from: 's2' }).say('bob', 'alice', 'a2', 'history');
    b.deliver('bob', 'b2', ['alice']);
    expect(checkExactlyOnce(b.events, room)).toEqual({ ok: true, problems: [] });
  });
});
