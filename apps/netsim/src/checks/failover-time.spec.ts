import { describe, expect, it } from 'vitest';
import { measureFailovers } from './failover-time.js';
import { logBuilder } from './test-log.js';

describe('measureFailovers for a partition', () => {
  it('times the members cut off from their host until each rejoined on their own side', () => {
    const b = logBuilder().start('s1', 's2', 'alice', 'bob', 'carol').joined('alice', 's1').joined('bob', 's1').joined('carol', 's1');
    b.sim('net', 'partition', { groups: [['s1', 'alice'], ['s2', 'bob', 'carol']] });
    b.app('bob', 'failover', { host: 's2', from: 's1' }).app('alice', 'say', {}).app('carol', 'failover', { host: 's2', from: 's1' });
    expect(measureFailovers(b.events, ['alice', 'bob', 'carol'], 2)).toEqual([{ fault: 'partition', host: 's1', at: 8, affected: ['bob', 'carol'], healedMs: 3, intervals: 1.5 }]);
  });

  it('times a one-way cut for the members that stop hearing their host only', () => {
    const b = logBuilder().start('s1', 's2', 'alice', 'bob').joined('alice', 's1').joined('bob', 's1');
    b.sim('net', 'partition', { from: ['s1'], to: ['alice'], oneWay: true }).app('alice', 'failover', { host: 's2', from: 's1' });
    expect(measureFailovers(b.events, ['alice', 'bob'], 2)).toEqual([{ fault: 'partition', host: 's1', at: 6, affected: ['alice'], healedMs: 1, intervals: 0.5 }]);
  });

  it('reports a member that never found a host on its side as not healed, and ignores members on their host side', () => {
    const b = logBuilder().start('s1', 'alice', 'bob').joined('alice', 's1').joined('bob', 's1');
    b.sim('net', 'partition', { groups: [['s1', 'alice'], ['bob']] });
    expect(measureFailovers(b.events, ['alice', 'bob'], 2)).toMatchObject([{ fault: 'partition', host: 's1', affected: ['bob'], healedMs: undefined }]);
  });
});
