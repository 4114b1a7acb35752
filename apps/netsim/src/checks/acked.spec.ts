import { describe, expect, it } from 'vitest';
import { checkNoAckedPostLost, readerTallies } from './acked.js';
import { checkHistory } from './delivery.js';
import { logBuilder } from './test-log.js';

const room = new Map([
  ['alice', '#room'],
  ['bob', '#room'],
  ['carol', '#room'],
]);

function chat() {
  return logBuilder().start('s1', 'alice', 'bob').joined('alice', 's1').joined('bob', 's1');
}

describe('checkNoAckedPostLost', () => {
  it('holds when every echoed post reached every surviving reader once', () => {
    const b = chat().post('alice', 'hi [1]').deliver('alice', 'hi [1]', ['alice', 'bob']);
    expect(checkNoAckedPostLost(b.events, room)).toEqual({ ok: true, problems: [] });
  });

  it('fails for an acknowledged post a reader lost or got twice, even when its author died', () => {
    const b = chat().post('alice', 'hi [1]').deliver('alice', 'hi [1]', ['alice']).post('alice', 'hi [2]').deliver('alice', 'hi [2]', ['alice', 'bob', 'bob']);
    b.sim('alice', 'exit', { code: null, signal: 'SIGKILL', expected: true });
    expect(checkNoAckedPostLost(b.events, room).problems).toEqual(['bob saw alice: "hi [1]" (acknowledged to alice) never', 'bob saw alice: "hi [2]" (acknowledged to alice) 2 times']);
  });

  it('does not require a post its author never saw acknowledged', () => {
    const b = chat().post('alice', 'a [1]').deliver('alice', 'a [1]', ['alice', 'bob']).post('alice', 'lost [2]');
    expect(checkNoAckedPostLost(b.events, room).ok).toBe(true);
  });

  it('proves nothing without an acknowledged post', () => {
    expect(checkNoAckedPostLost(chat().events, room).problems).toEqual(['no post was acknowledged to its author']);
  });
});

describe('readerTallies', () => {
  it('counts expected, received, lost and duplicated posts per present member', () => {
    const b = chat().post('alice', 'a [1]').deliver('alice', 'a [1]', ['alice', 'bob', 'bob']).post('alice', 'a [2]').deliver('alice', 'a [2]', ['alice']);
    expect(readerTallies(b.events, room)).toEqual({
      alice: { expected: 2, received: 2, lost: 0, duplicated: 0 },
      bob: { expected: 2, received: 1, lost: 1, duplicated: 1 },
    });
    b.sim('run', 'teardown').sim('bob', 'exit', { code: 0, signal: null, expected: true });
    expect(Object.keys(readerTallies(b.events, room))).toEqual(['alice', 'bob']);
  });
});

describe('checkHistory after a merge', () => {
  it('does not count posts of the other side that arrived live after the heal as missing', () => {
    const b = chat().sim('net', 'partition', { groups: [['s1', 'alice'], ['s2', 'bob']] }).app('bob', 'failover', { host: 's2', from: 's1' });
    b.post('alice', 'left side [1]').deliver('alice', 'left side [1]', ['alice']);
    b.start('carol').joined('carol', 's2');
    expect(checkHistory(b.events, room, ['carol']).ok).toBe(false);
    b.sim('net', 'heal').say('carol', 'alice', 'left side [1]');
    expect(checkHistory(b.events, room, ['carol'])).toEqual({ ok: true, problems: [] });
  });
});
