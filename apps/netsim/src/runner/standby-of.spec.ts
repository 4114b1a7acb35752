import { describe, expect, it } from 'vitest';
import { logBuilder } from '../checks/test-log.js';
import { standbyOf } from './steps.js';

describe('standbyOf', () => {
  it('is the standby the host last named to the client since its start', () => {
    const b = logBuilder().start('alice').joined('alice', 's1');
    expect(standbyOf(b.events, 'alice')).toBeUndefined();
    b.app('alice', 'standby', { standby: 'bob', host: 's1' });
    expect(standbyOf(b.events, 'alice')).toBe('bob');
    b.app('alice', 'standby', { standby: 'carol', host: 's1' });
    expect(standbyOf(b.events, 'alice')).toBe('carol');
  });

  it('is undefined when the host names itself (no standby) or the client restarted', () => {
    const b = logBuilder().start('alice').app('alice', 'standby', { standby: 'bob', host: 's1' }).app('alice', 'standby', { standby: 's1', host: 's1' });
    expect(standbyOf(b.events, 'alice')).toBeUndefined();
    b.app('alice', 'standby', { standby: 'bob', host: 's1' }).sim('alice', 'restart');
    expect(standbyOf(b.events, 'alice')).toBeUndefined();
  });
});
