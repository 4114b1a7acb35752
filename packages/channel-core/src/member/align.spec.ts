import { describe, expect, it } from 'vitest';
import { alignHistory, type SeenPost } from './align.js';

const p = (s: string): SeenPost => {
  const [author = '', text = ''] = s.split(':');
  return { author, text };
};
const ps = (...l: string[]) => l.map(p);

interface Case {
  name: string;
  seen: SeenPost[];
  history: SeenPost[];
  truncated?: boolean;
  pending: string[];
  fresh: SeenPost[];
  resend: string[];
  echoed: string[];
  expect: SeenPost[];
}

describe('alignHistory', () => {
  it.each([
    { name: 'same history', seen: ps('a:1', 'b:2'), history: ps('a:1', 'b:2'), pending: [], fresh: [], resend: [], echoed: [], expect: [] },
    { name: 'we missed the tail', seen: ps('a:1'), history: ps('a:1', 'b:2'), pending: [], fresh: ps('b:2'), resend: [], echoed: [], expect: [] },
    { name: 'the new host missed our tail', seen: ps('a:1', 'b:2', 'me:3'), history: ps('a:1'), pending: [], fresh: [], resend: ['3'], echoed: [], expect: ps('b:2', 'me:3') },
    { name: 'truncated history window', seen: ps('a:1', 'a:2', 'a:3'), history: ps('a:2', 'a:3', 'b:4'), truncated: true, pending: [], fresh: ps('b:4'), resend: [], echoed: [], expect: [] },
    { name: 'complete history: an early post was lost', seen: ps('a:1', 'a:2', 'a:3'), history: ps('a:2', 'a:3', 'b:4'), pending: [], fresh: ps('b:4'), resend: [], echoed: [], expect: ps('a:1') },
    { name: 'a re-send arrived before the oldest common post', seen: ps('me:0', 'a:1'), history: ps('a:1'), pending: [], fresh: [], resend: ['0'], echoed: [], expect: ps('me:0') },
    { name: 'a re-send already arrived', seen: ps('a:1', 'b:2'), history: ps('a:1', 'c:9', 'b:2'), pending: [], fresh: ps('c:9'), resend: [], echoed: [], expect: [] },
    { name: 'pending found and missing', seen: [], history: ps('me:x'), pending: ['x', 'y'], fresh: ps('me:x'), resend: ['y'], echoed: ['x'], expect: [] },
    { name: 'empty new history: everything was lost', seen: ps('a:1', 'me:2'), history: [], pending: ['3'], fresh: [], resend: ['2', '3'], echoed: [], expect: ps('a:1', 'me:2') },
    { name: 'no overlap: all we saw was lost', seen: ps('a:1', 'me:0'), history: ps('b:2'), pending: [], fresh: ps('b:2'), resend: ['0'], echoed: [], expect: ps('a:1', 'me:0') },
    { name: 're-sends arrived in another order', seen: ps('a:1', 'b:2', 'c:3'), history: ps('a:1', 'c:3', 'b:2'), pending: [], fresh: [], resend: [], echoed: [], expect: [] },
    { name: 'lost posts between re-sent ones', seen: ps('a:1', 'b:2', 'c:3'), history: ps('a:1', 'c:3'), pending: [], fresh: [], resend: [], echoed: [], expect: ps('b:2') },
  ] as Case[])('$name', ({ seen, history, truncated, pending, fresh, resend, echoed, expect: exp }) => {
    expect(alignHistory(seen, history, pending, 'me', truncated)).toEqual({ fresh, resend, echoed, expect: exp });
  });
});
