import { describe, expect, it } from 'vitest';
import { formatEvent, formatPostTime, type ChatEvent } from './chat-event.js';

const at = (h: number, m: number, day = 1): number => new Date(2026, 11, day, h, m, 5).getTime();
const names = { selfId: 'me', nickOf: (id: string) => (id === 'b' ? 'bob' : id) };

describe('formatEvent', () => {
  it('shows a history post at its original time, with the date when it was not today (issue 14)', () => {
    const e: ChatEvent = { event: 'history', ts: at(20, 0), channel: '#ops', author: 'b', nick: 'bob', text: 'hi', postedAt: at(9, 30) };
    expect(formatEvent(e, names)).toBe('[09:30:05] #ops (history) <bob> hi');
    expect(formatEvent({ ...e, postedAt: at(9, 30, 2) - 86_400_000 * 2 }, names)).toMatch(/^\[2026-11-30 09:30:05\] #ops \(history\) <bob> hi$/);
    const { postedAt: _, ...plain } = e;
    expect(formatEvent(plain, names)).toBe('[20:00:05] #ops (history) <bob> hi');
    expect(formatPostTime(at(1, 2), at(23, 0))).toBe('01:02:05');
  });
});
