import { describe, expect, it } from 'vitest';
import type { HostEffect, Post } from '../types.js';
import { harness, received } from './host-harness.js';

/** The post a SAY's `persist` effect carried. */
function persisted(fx: readonly HostEffect[]): Post {
  const e = fx.find((x) => x.kind === 'persist');
  if (e?.kind !== 'persist') throw new Error('no persist effect');
  return e.post;
}

describe('host: retract (a post the store could not write)', () => {
  it('takes the post out of the history, so a newcomer never sees it', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.say('c1', 'kept');
    const lost = persisted(h.say('c1', 'lost'));
    h.say('c1', 'after');
    expect(h.host.handle({ kind: 'retract', channel: '#a', post: lost })).toEqual([]);
    const history = received(h.join('c2', '#a', 'bob'), 'c2').filter((c) => c.cmd === 'SAY');
    expect(history.map((c) => (c.cmd === 'SAY' ? c.text : ''))).toEqual(['kept', 'after']);
  });

  it('removes only that post object, not an equal later one', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    const first = persisted(h.say('c1', 'same'));
    h.say('c1', 'same');
    h.host.handle({ kind: 'retract', channel: '#a', post: first });
    expect(h.host.snapshot().channels[0]?.historyLength).toBe(1);
  });

  it('also reaches a channel that closed in the same turn (its archive)', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.say('c1', 'kept');
    const lost = persisted(h.say('c1', 'lost'));
    h.closed('c1');
    h.host.handle({ kind: 'retract', channel: '#a', post: lost });
    const history = received(h.join('c2', '#a', 'bob'), 'c2').filter((c) => c.cmd === 'SAY');
    expect(history.map((c) => (c.cmd === 'SAY' ? c.text : ''))).toEqual(['kept']);
  });

  it('ignores a post it does not hold', () => {
    const h = harness();
    h.join('c1', '#a', 'alice');
    h.say('c1', 'kept');
    expect(h.host.handle({ kind: 'retract', channel: '#a', post: { authorId: 'alice', text: 'kept', at: 0 } })).toEqual([]);
    expect(h.host.handle({ kind: 'retract', channel: '#nope', post: { authorId: 'x', text: 'y', at: 0 } })).toEqual([]);
    expect(h.host.snapshot().channels[0]?.historyLength).toBe(1);
  });
});
