import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME_BYTES } from '@ims/codec';
import { createMember } from './member.js';
import { events, H, joined, say, standby } from './member-harness.js';
import type { Member, MemberEffect, MemberEvent, MemberOptions } from './member-types.js';

const sent = (fx: readonly MemberEffect[]): string[] => fx.flatMap((e) => (e.kind === 'send' && e.command.cmd === 'SAY' ? [e.command.text] : []));
/** Body bytes of `SAY text` for ASCII text: "SAY\0" + text + "\0". */
const body = (text: string): number => text.length + 5;
const errors = (evs: readonly MemberEvent[]): MemberEvent[] => evs.filter((e) => e.event === 'error');

/**
 * A host (with frame limit `limit`) driven by the member's effects until they run out or `steps`
 * inputs were fed: it takes every connect and JOIN, echoes a SAY, and answers a SAY over its limit
 * with `ERROR FRAME_TOO_LARGE` (unless `silent`) and a close, as host-service does. Counts connects.
 */
function runHost(m: Member, first: MemberEffect[], limit: number, opts: { silent?: boolean; steps?: number } = {}) {
  const queue = [...first];
  const shown: MemberEvent[] = [];
  let connects = 0;
  let at = 0;
  let steps = 0;
  const feed = (fx: MemberEffect[]): void => void queue.push(...fx);
  while (queue.length > 0 && steps++ < (opts.steps ?? 2_000)) {
    const e = queue.shift() as MemberEffect;
    if (e.kind === 'event') shown.push(e.event);
    else if (e.kind === 'connect') {
      connects++;
      feed(m.handle({ kind: 'connected' }));
    } else if (e.kind === 'send' && e.command.cmd === 'JOIN') feed(m.handle({ kind: 'frame', command: standby('S'), at: (at += 10) }));
    else if (e.kind === 'send' && e.command.cmd === 'SAY') {
      const text = e.command.text;
      if (body(text) <= limit) {
        feed(m.handle({ kind: 'frame', command: say('me', text), at: (at += 10) }));
        continue;
      }
      // The host drops the rest of the stream: later SAYs queued behind are not answered.
      queue.splice(0, queue.length, ...queue.filter((x) => x.kind !== 'send'));
      const reason = `FRAME_TOO_LARGE: frame of ${body(text)} bytes exceeds the limit of ${limit}`;
      if (!opts.silent) feed(m.handle({ kind: 'frame', command: { cmd: 'ERROR', reason }, at: (at += 10) }));
      feed(m.handle({ kind: 'closed' }));
    }
  }
  return { shown, connects, steps };
}

function joinedVia(opts: Partial<MemberOptions> = {}) {
  const m = createMember({ selfId: 'me', channel: '#a', ...opts });
  const fx = [...m.handle({ kind: 'join', target: H })];
  return { m, fx };
}

describe('member: a post the host would refuse is refused locally (docs/protocol.md §2.7, §9)', () => {
  it('the attack: a 70 KiB post is refused with one error, never sent, never pending; the next post is delivered', () => {
    const { m, fx } = joinedVia();
    const run = runHost(m, [...fx, ...m.handle({ kind: 'post', text: 'x'.repeat(70 * 1024) }), ...m.handle({ kind: 'post', text: 'next' })], DEFAULT_MAX_FRAME_BYTES);
    expect(run.connects).toBe(1);
    expect(errors(run.shown)).toEqual([{ event: 'error', code: 'POST_TOO_LARGE', message: expect.stringContaining(`over the host's frame limit of ${DEFAULT_MAX_FRAME_BYTES}`) as string }]);
    expect(run.shown).toContainEqual({ event: 'say', author: 'me', text: 'next' });
    expect(m.pendingCount()).toBe(0);
  });

  it('the limit is the SAY frame body in UTF-8 bytes: exactly at the limit is sent, one byte over is not', () => {
    const { m, feed } = joined([], 'S', undefined, { maxFrameBytes: 100 });
    expect(sent(m.handle({ kind: 'post', text: 'a'.repeat(95) }))).toEqual(['a'.repeat(95)]);
    const over = m.handle({ kind: 'post', text: 'a'.repeat(96) });
    expect(sent(over)).toEqual([]);
    expect(events(over)).toMatchObject([{ event: 'error', code: 'POST_TOO_LARGE' }]);
    // '€' is 3 bytes in UTF-8 though one UTF-16 unit: 31 of them (93 bytes) + 5 = 98 fits, 32 do not.
    expect(sent(m.handle({ kind: 'post', text: '€'.repeat(31) }))).toHaveLength(1);
    expect(events(m.handle({ kind: 'post', text: '€'.repeat(32) }))).toMatchObject([{ code: 'POST_TOO_LARGE' }]);
    feed(say('me', 'a'.repeat(95)), say('me', '€'.repeat(31)));
    expect(m.pendingCount()).toBe(0);
  });

  it('text the wire cannot carry (NUL, lone surrogate) is refused with the codec reason, before it is pending', () => {
    const { m } = joined();
    for (const [text, why] of [['a\0b', 'NUL'], ['\uD800x', 'surrogate'], ['x\uDC00', 'surrogate']] as const) {
      const fx = m.handle({ kind: 'post', text });
      expect(sent(fx)).toEqual([]);
      expect(events(fx)).toEqual([{ event: 'error', code: 'POST_INVALID', message: expect.stringContaining(why) as string }]);
    }
    expect(m.pendingCount()).toBe(0);
    // A surrogate pair is one code point: fine.
    expect(sent(m.handle({ kind: 'post', text: '\uD83D\uDE00' }))).toEqual(['\uD83D\uDE00']);
  });

  it('a post made before the join is refused at once too: it never waits to be sent', () => {
    const m = createMember({ selfId: 'me', channel: '#a', maxFrameBytes: 10 });
    m.handle({ kind: 'join', target: H });
    expect(events(m.handle({ kind: 'post', text: 'too long for ten' }))).toMatchObject([{ code: 'POST_TOO_LARGE' }]);
    expect(m.pendingCount()).toBe(0);
  });

  it('validates its limits', () => {
    expect(() => createMember({ selfId: 'me', channel: '#a', maxClosesPerPost: 0 })).toThrow(/maxClosesPerPost/);
    expect(() => createMember({ selfId: 'me', channel: '#a', maxFrameBytes: -1 })).toThrow(/maxFrameBytes/);
  });
});

describe('member: a host refusing a post for good (its own stricter rules) causes no reconnect loop', () => {
  it('ERROR FRAME_TOO_LARGE then close: that post is dropped with one error, one reconnect, the next post is delivered', () => {
    // Our limit is the default; this host only takes 1,000 bytes.
    const { m, fx } = joinedVia();
    const run = runHost(m, [...fx, ...m.handle({ kind: 'post', text: 'y'.repeat(2_000) }), ...m.handle({ kind: 'post', text: 'next' })], 1_000);
    expect(run.connects).toBe(2);
    expect(errors(run.shown)).toEqual([{ event: 'error', code: 'POST_REFUSED', message: expect.stringContaining('FRAME_TOO_LARGE: frame of 2005 bytes') as string }]);
    expect(run.shown.filter((e) => e.event === 'say')).toEqual([{ event: 'say', author: 'me', text: 'next' }]);
    expect(m.pendingCount()).toBe(0);
  });

  it('the post the ERROR names is dropped, not an older one still in flight (echoes may come after it)', () => {
    const { m, feed } = joined();
    m.handle({ kind: 'post', text: 'small' });
    m.handle({ kind: 'post', text: 'z'.repeat(3_000) });
    const fx = feed({ cmd: 'ERROR', reason: 'FRAME_TOO_LARGE: frame of 3005 bytes exceeds the limit of 2048' });
    expect(events(fx)).toMatchObject([{ code: 'POST_REFUSED' }]);
    expect(m.snapshot().pending).toEqual(['small']);
    // An ERROR naming a size none of our SAYs has (an INVITE too large): nothing is dropped, it only shows.
    m.handle({ kind: 'post', text: 'other' });
    expect(events(feed({ cmd: 'ERROR', reason: 'FRAME_TOO_LARGE: frame of 99999 bytes exceeds the limit of 2048' }))).toMatchObject([{ code: 'FRAME_TOO_LARGE' }]);
    expect(m.snapshot().pending).toEqual(['small', 'other']);
  });

  it('a host that closes without a word after a post: dropped after maxClosesPerPost closes in a row, then the next is delivered', () => {
    const { m, fx } = joinedVia();
    const run = runHost(m, [...fx, ...m.handle({ kind: 'post', text: 'w'.repeat(2_000) }), ...m.handle({ kind: 'post', text: 'next' })], 1_000, { silent: true });
    // 3 closes with the post in flight (the default), then one more connection that delivers `next`.
    expect(run.connects).toBe(4);
    expect(errors(run.shown)).toEqual([{ event: 'error', code: 'POST_REFUSED', message: expect.stringContaining('closed 3 times') as string }]);
    expect(run.shown.filter((e) => e.event === 'say')).toEqual([{ event: 'say', author: 'me', text: 'next' }]);
  });

  it('an echo in between ends the streak: a host that closes now and then loses no post', () => {
    const { m, feed } = joined([], 'S', undefined, { maxClosesPerPost: 2 });
    m.handle({ kind: 'post', text: 'p' });
    const seen: string[] = [];
    // The host keeps what it echoed: a rejoin's history has it, so only unechoed posts are re-sent.
    const reconnect = (): void => {
      m.handle({ kind: 'closed' });
      m.handle({ kind: 'connected' });
      feed(...seen.map((t) => say('me', t)), standby('S'));
    };
    const echo = (t: string): void => {
      seen.push(t);
      feed(say('me', t));
    };
    reconnect();
    echo('p');
    // The same text posted again is a new post, and its streak starts from zero.
    m.handle({ kind: 'post', text: 'p' });
    reconnect();
    expect(m.snapshot().pending).toEqual(['p']);
    reconnect();
    expect(m.snapshot().pending).toEqual([]);
  });
});
