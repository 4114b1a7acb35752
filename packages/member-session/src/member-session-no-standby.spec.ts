import { BehaviorSubject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { SessionWorld, standbyOf } from '../test/session-world.js';
import { resolveStandbyWait } from './member-link.js';

// Issue 12, item 1: a host that never sends STANDBY (the draft authors' server, docs/protocol.md
// §7.7). The join completes on the same connection; nothing is dropped.
describe('member session: a host that never sends STANDBY (memory transport, virtual time)', () => {
  it('a host silent after JOIN: the join completes after joinTimeoutMs on the same connection, and posts go out', async () => {
    const w = new SessionWorld();
    const silent = await w.host('a', '10.0.0.1');
    const other = await w.host('b', '10.0.0.2', standbyOf('b'));
    const hosts$ = new BehaviorSubject([silent.lobby(['#room']), other.lobby(['#room'])]);
    const s = w.start(silent.target, { hosts$, joinTimeoutMs: 3_000 });
    s.session.post('typed early');
    const end = await silent.joined(0);
    await w.vt.advance(2_999);
    expect(s.events.map((e) => e.event)).toEqual([]);
    expect(await s.event('joined', (e) => e.event === 'joined')).toMatchObject({ host: 'a', ts: 3_000 });
    expect(s.events.map((e) => [e.event, 'code' in e ? e.code : ''])).toEqual([
      ['joined', ''],
      ['error', 'NO_STANDBY'],
    ]);
    await w.wait('the early post', () => (end.names().includes('SAY') ? true : undefined));
    expect(end.info).toBeUndefined();
    expect(other.ends).toEqual([]);
    expect(s.logs.some((l) => l['event'] === 'member.no_standby')).toBe(true);
  });

  it('a host that sends its history and no STANDBY: joined historyQuietMs after the last SAY; later SAYs are live', async () => {
    const w = new SessionWorld();
    const java = await w.host('j', '10.0.0.1', (end) => end.send({ cmd: 'SAY', authorId: 'x', text: 'h1' }));
    const s = w.start(java.target, { historyQuietMs: 1_000 });
    const end = await java.joined(0);
    await w.vt.advance(600);
    end.send({ cmd: 'SAY', authorId: 'x', text: 'h2' });
    await w.vt.advance(999);
    expect(s.events).toEqual([]);
    await s.event('joined', (e) => e.event === 'joined');
    // Quiet for 1 s after h2 (sent at 600), not after h1: the quiet wait restarts with each frame.
    expect(w.vt.now()).toBe(1_600);
    end.send({ cmd: 'SAY', authorId: 'y', text: 'live' });
    await s.event('live say', (e) => e.event === 'say');
    expect(s.events.map((e) => (e.event === 'history' || e.event === 'say' ? `${e.event}:${e.text}` : e.event))).toEqual(['joined', 'history:h1', 'history:h2', 'error', 'say:live']);
    s.session.post('mine');
    await w.wait('our SAY', () => (end.names().includes('SAY') ? true : undefined));
    end.send({ cmd: 'SAY', authorId: 'me', text: 'mine' });
    await s.event('our echo', (e) => e.event === 'say' && e.text === 'mine');
    expect(s.session.pendingCount()).toBe(0);
    await w.vt.until(s.session.exit());
    await w.wait('the close', () => end.info);
    expect(end.names()).toEqual(['JOIN', 'SAY', 'EXIT']);
  });

  it('a STANDBY within the wait ends the join as always: no NO_STANDBY, no second completion', async () => {
    const w = new SessionWorld();
    const h = await w.host('h', '10.0.0.1', (end) => end.send({ cmd: 'SAY', authorId: 'x', text: 'h1' }, { cmd: 'STANDBY', peerId: 'h' }));
    const s = w.start(h.target, { historyQuietMs: 1_000, joinTimeoutMs: 3_000 });
    await s.event('joined', (e) => e.event === 'joined');
    await w.vt.advance(10_000);
    expect(s.kinds()).not.toContain('no-standby');
    expect(s.events.map((e) => e.event)).toEqual(['joined', 'history', 'standby']);
    expect(s.kinds()).not.toContain('closed');
  });

  it('defaults the waits to 10 s and 1.5 s and refuses a negative or endless one', () => {
    expect(resolveStandbyWait()).toEqual({ joinTimeoutMs: 10_000, historyQuietMs: 1_500 });
    expect(() => resolveStandbyWait(-1)).toThrow(RangeError);
    expect(() => resolveStandbyWait(1_000, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
