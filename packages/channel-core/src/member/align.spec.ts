import { describe, expect, it } from 'vitest';
import { alignHistory, type SeenPost } from './align.js';

const p = (s: string): SeenPost => {
  const [author = '', text = ''] = s.split(':');
  return { author, text };
};
const ps = (...l: string[]) => l.map(p);

describe('alignHistory', () => {
  it.each([
    { name: 'same history', seen: ps('a:1', 'b:2'), history: ps('a:1', 'b:2'), pending: [], fresh: [], resend: [], echoed: [], expect: [] },
    { name: 'we missed the tail', seen: ps('a:1'), history: ps('a:1', 'b:2'), pending: [], fresh: ps('b:2'), resend: [], echoed: [], expect: [] },
    { name: 'the new host missed our tail', seen: ps('a:1', 'b:2', 'me:3'), history: ps('a:1'), pending: [], fresh: [], resend: ['3'], echoed: [], expect: ps('b:2', 'me:3') },
    { name: 'truncated history window', seen: ps('a:1', 'a:2', 'a:3'), history: ps('a:2', 'a:3', 'b:4'), pending: [], fresh: ps('b:4'), resend: [], echoed: [], expect: [] },
    { name: 'a re-send already arrived', seen: ps('a:1', 'b:2'), history: ps('a:1', 'c:9', 'b:2'), pending: [], fresh: ps('c:9'), resend: [], echoed: [], expect: [] },
    { name: 'pending found and missing', seen: [], history: ps('me:x'), pending: ['x', 'y'], fresh: ps('me:x'), resend: ['y'], echoed: ['x'], expect: [] },
    { name: 'empty new history: everything was lost', seen: ps('a:1', 'me:2'), history: [], pending: ['3'], fresh: [], resend: ['2', '3'], echoed: [], expect: ps('a:1', 'me:2') },
    { name: 'no overlap: nothing assumed lost', seen: ps('a:1'), history: ps('b:2'), pending: [], fresh: ps('b:2'), resend: [], echoed: [], expect: [] },
  ])('$name', ({ seen, history, pending, fresh, resend, echoed, expect: exp }) => {
    expect(alignHistory(seen, history, pending, 'me')).toEqual({ fresh, resend, echoed, expect: exp });
  });
});
