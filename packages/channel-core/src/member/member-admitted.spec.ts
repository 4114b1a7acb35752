/** The admission list a member keeps from its hosts' STANDBY admission fields (docs/protocol.md §2.8, §8). */
import { describe, expect, it } from 'vitest';
import type { ServerCommand } from '@ims/codec';
import { events, joined, wire } from './member-harness.js';

const list = (peerId: string, admitted: string[], successors?: string[]): ServerCommand =>
  successors === undefined ? { cmd: 'STANDBY', peerId, admitted } : { cmd: 'STANDBY', peerId, successors, admitted };

describe('member: admission list (docs/protocol.md §2.8)', () => {
  it('keeps the IDs of a private channel, adding later ones, and reads the frame as a repeated STANDBY', () => {
    const { m, feed } = joined([], 'me', undefined, { channel: '@p' });
    expect(m.admitted()).toBeUndefined();
    const fx = feed(list('me', ['alice', 'me', 'bob']), list('me', ['carol', 'bob']));
    expect([...(m.admitted() ?? [])]).toEqual(['alice', 'me', 'bob', 'carol']);
    // Same standby as before: no event, nothing sent.
    expect(events(fx)).toEqual([]);
    expect(wire(fx)).toEqual([]);
  });

  it('keeps the list across a lost connection', () => {
    const { m, feed } = joined([], 'me', undefined, { channel: '@p' });
    feed(list('me', ['alice'], ['S']));
    m.handle({ kind: 'closed' });
    expect(m.admitted()?.has('alice')).toBe(true);
  });

  it('keeps at most maxAdmitted IDs', () => {
    const { m, feed } = joined([], 'me', undefined, { channel: '@p', maxAdmitted: 2 });
    feed(list('me', ['a', 'b', 'c']), list('me', ['d']));
    expect([...(m.admitted() ?? [])]).toEqual(['a', 'b']);
  });

  it('ignores a list for a public channel', () => {
    const { m, feed } = joined();
    feed(list('S', ['alice']));
    expect(m.admitted()).toBeUndefined();
  });

  it('rejects a negative maxAdmitted', () => {
    expect(() => joined([], 'S', undefined, { channel: '@p', maxAdmitted: -1 })).toThrow(RangeError);
  });
});
