import { describe, expect, it } from 'vitest';
import { evaluateCondition } from './conditions.js';
import { measureFailovers } from './failover-time.js';
import { logBuilder } from './test-log.js';

const room = new Map([
  ['alice', '#room'],
  ['bob', '#room'],
]);

describe('evaluateCondition', () => {
  it('listening needs a listening line since the latest start', () => {
    const b = logBuilder().start('s1');
    expect(evaluateCondition({ kind: 'listening', hosts: ['s1'] }, b.events, room)).toEqual({ ok: false, detail: 'not listening: s1' });
    b.app('s1', 'listening', { port: 5 });
    expect(evaluateCondition({ kind: 'listening', hosts: ['s1'] }, b.events, room).ok).toBe(true);
    b.sim('s1', 'restart');
    expect(evaluateCondition({ kind: 'listening', hosts: ['s1'] }, b.events, room).ok).toBe(false);
  });

  it('joined checks the current host of each client', () => {
    const b = logBuilder().start('alice', 'bob').joined('alice', 's1');
    expect(evaluateCondition({ kind: 'joined', hosts: ['alice', 'bob'], host: 's1' }, b.events, room).detail).toBe('not joined on s1: bob (no host)');
    b.joined('bob', 's2');
    expect(evaluateCondition({ kind: 'joined', hosts: ['alice', 'bob'], host: 's1' }, b.events, room).detail).toBe('not joined on s1: bob (on s2)');
    expect(evaluateCondition({ kind: 'converged', hosts: ['alice', 'bob'] }, b.events, room).ok).toBe(false);
    b.app('bob', 'failover', { host: 's1', from: 's2' });
    expect(evaluateCondition({ kind: 'converged', hosts: ['alice', 'bob'] }, b.events, room).ok).toBe(true);
  });

  it('failover counts only failovers after the latest fault', () => {
    const b = logBuilder().start('alice').joined('alice', 's1').app('alice', 'failover', { host: 's2', from: 's1' }).sim('s2', 'kill');
    expect(evaluateCondition({ kind: 'failover', hosts: ['alice'] }, b.events, room).ok).toBe(false);
    b.app('alice', 'failover', { host: 's3', from: 's2' });
    expect(evaluateCondition({ kind: 'failover', hosts: ['alice'], host: 's3' }, b.events, room).ok).toBe(true);
    expect(evaluateCondition({ kind: 'failover', hosts: ['alice'], host: 's2' }, b.events, room).ok).toBe(false);
  });

  it('delivered waits for every present member to have every post', () => {
    const b = logBuilder().start('alice', 'bob').joined('alice', 's1').joined('bob', 's1').post('alice', 'x').deliver('alice', 'x', ['alice']);
    expect(evaluateCondition({ kind: 'delivered' }, b.events, room)).toEqual({ ok: false, detail: '1 deliveries missing, e.g. bob lacks alice: "x"' });
    b.deliver('alice', 'x', ['bob']);
    expect(evaluateCondition({ kind: 'delivered' }, b.events, room).ok).toBe(true);
  });

  it('delivered waits while a paced say is still typing', () => {
    const b = logBuilder().start('alice', 'bob').joined('alice', 's1').joined('bob', 's1').sim('alice', 'burst', { line: 7, posts: 2, rate: 10 });
    b.post('alice', 'x').deliver('alice', 'x', ['alice', 'bob']);
    expect(evaluateCondition({ kind: 'delivered' }, b.events, room)).toEqual({ ok: false, detail: 'still posting: alice (line 7)' });
    b.post('alice', 'y').deliver('alice', 'y', ['alice', 'bob']).sim('alice', 'burst-end', { line: 7 });
    expect(evaluateCondition({ kind: 'delivered' }, b.events, room).ok).toBe(true);
  });

  it('event matches the given fields', () => {
    const b = logBuilder().start('s1').app('s1', 'takeover', { channel: '#a' });
    expect(evaluateCondition({ kind: 'event', host: 's1', event: 'takeover', fields: { channel: '#b' } }, b.events, room).ok).toBe(false);
    expect(evaluateCondition({ kind: 'event', host: 's1', event: 'takeover', fields: { channel: '#a' } }, b.events, room).ok).toBe(true);
  });
});

describe('measureFailovers', () => {
  it('measures from the fault to the last affected member back on another host', () => {
    const b = logBuilder().start('alice', 'bob').joined('alice', 's1').joined('bob', 's1').sim('s1', 'kill');
    b.app('alice', 'failover', { host: 's2', from: 's1' }).app('bob', 'standby', {}).app('bob', 'failover', { host: 's2', from: 's1' });
    const [m] = measureFailovers(b.events, ['alice', 'bob'], 2);
    expect(m).toEqual({ fault: 'kill', host: 's1', at: 4, affected: ['alice', 'bob'], healedMs: 3, intervals: 1.5 });
  });

  it('reports a fault nobody recovered from', () => {
    const b = logBuilder().start('alice').joined('alice', 's1').sim('s1', 'freeze').sim('s1', 'kill');
    expect(measureFailovers(b.events, ['alice'], 10).map((m) => [m.fault, m.healedMs])).toEqual([
      ['freeze', undefined],
      ['kill', undefined],
    ]);
  });

  it('does not wait for a member that ended with the fault', () => {
    const b = logBuilder().start('alice', 'bob').joined('alice', 's1').joined('bob', 's1').sim('alice', 'leave').sim('s1', 'kill').sim('alice', 'exit');
    b.app('bob', 'failover', { host: 'bob', from: 's1' });
    const [m] = measureFailovers(b.events, ['alice', 'bob'], 1);
    expect(m).toMatchObject({ affected: ['bob'], healedMs: 2 });
  });

  it('still reports a fault never healed when the members only exit at teardown', () => {
    const b = logBuilder().start('alice').joined('alice', 's1').sim('s1', 'freeze').sim('alice', 'exit');
    expect(measureFailovers(b.events, ['alice'], 1)).toMatchObject([{ fault: 'freeze', healedMs: undefined }]);
  });

  it('ignores faults of hosts no client used', () => {
    const b = logBuilder().start('alice').joined('alice', 's1').sim('s2', 'kill');
    expect(measureFailovers(b.events, ['alice'], 10)).toEqual([]);
  });
});
