import { describe, expect, it } from 'vitest';
import { describeCondition, describeStep, names } from './describe.js';

describe('check names', () => {
  it('say what a wait asserts and how long it took', () => {
    expect(describeStep({ kind: 'wait', condition: { kind: 'failover', hosts: ['alice', 'bob', 'carol'] }, within: 6, line: 20 }, 302)).toBe('alice, bob, carol failed over within 6 intervals: 302 ms');
    expect(describeStep({ kind: 'kill', hosts: [], standbyOf: '#room', line: 3 })).toBe('kill the standby of #room');
    expect(describeStep({ kind: 'say', posts: [{ from: 'a', text: 'x' }, { from: 'b', text: 'y' }], rate: 50, line: 4 })).toBe('a, b post 2 at 50/s each');
  });

  it('spell out selectors and cut long lists', () => {
    expect(describeCondition({ kind: 'converged', hosts: ['survivors'], host: 'anyClient' })).toBe("survivors on one host, a member's embedded host");
    expect(names(['c1', 'c2', 'c3', 'c4', 'c5', 'c6'])).toBe('c1, c2, c3, c4 and 2 more');
  });
});
