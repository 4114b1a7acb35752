/** Lost-host marks and their expiry (docs/protocol.md §5.5, §5.8): a restarted host never splits a channel for good. */
import { describe, expect, it } from 'vitest';
import { createMember } from './member.js';
import { lostHostExpiryFor } from './lost-marks.js';
import { H, joined, lobbyHost, S, say, standby, wire } from './member-harness.js';
import type { LobbyHost } from './member-types.js';

const EXPIRY = 9_000;
/** H (smaller ID) and S both announce '#a' once H has restarted. */
const both: LobbyHost[] = [lobbyHost(H), lobbyHost(S)];
const toH = [{ kind: 'send', command: { cmd: 'EXIT' } }, { kind: 'disconnect' }, { kind: 'connect', target: H }];

/** Failed over from H to S on the fast path; S's STANDBY arrives at runtime time `at`. */
function onS(at = 1_000) {
  const { m } = joined();
  m.handle({ kind: 'closed' });
  m.handle({ kind: 'connect-failed', refused: true });
  m.handle({ kind: 'connected' });
  const fx = m.handle({ kind: 'frame', command: standby('S'), at });
  return { m, fx };
}

describe('member: lost hosts expire', () => {
  it('H still shown alive: asks for a wake-up at the expiry (twice the delay: the runtime jitters ½–1×)', () => {
    expect(wire(onS().fx)).toEqual([{ kind: 'schedule', afterMs: 2 * EXPIRY }]);
  });

  it('a restarted H that stays alive past the expiry wins the channel again (partition heal)', () => {
    const { m } = onS(1_000);
    expect(m.handle({ kind: 'lobby', at: 2_000, hosts: both })).toEqual([]);
    expect(m.handle({ kind: 'lobby', at: 1_000 + EXPIRY - 1, hosts: both })).toEqual([]);
    expect(m.handle({ kind: 'lobby', at: 1_000 + EXPIRY, hosts: both })).toEqual(toH);
  });

  it('the wake-up brings the clock: expiry without any lobby change', () => {
    const { m } = onS(1_000);
    m.handle({ kind: 'lobby', at: 2_000, hosts: both });
    expect(m.handle({ kind: 'timer', at: 1_000 + EXPIRY })).toEqual(toH);
  });

  it('an early wake-up asks again for the time left; one without a clock does nothing', () => {
    const { m } = onS(1_000);
    m.handle({ kind: 'lobby', at: 2_000, hosts: both });
    expect(m.handle({ kind: 'timer' })).toEqual([]);
    expect(m.handle({ kind: 'timer', at: 6_000 })).toEqual([{ kind: 'schedule', afterMs: 2 * 4_000 }]);
  });

  it('only while discovery shows H alive at that time: a suspect stays lost', () => {
    const { m } = onS(1_000);
    expect(m.handle({ kind: 'lobby', at: 1_000 + EXPIRY, hosts: [lobbyHost(H, 'maybeDisconnected'), lobbyHost(S)] })).toEqual([]);
    expect(m.handle({ kind: 'lobby', at: 1_000 + EXPIRY + 1, hosts: both })).toEqual(toH);
  });

  it('the mark takes the time of the first input after the failover, not an older clock', () => {
    const { m } = joined();
    m.handle({ kind: 'lobby', at: 100, hosts: both });
    m.handle({ kind: 'closed' });
    m.handle({ kind: 'connect-failed', refused: true });
    m.handle({ kind: 'connected' });
    m.handle({ kind: 'frame', command: standby('S'), at: 5_000 });
    expect(m.handle({ kind: 'lobby', at: 100 + EXPIRY, hosts: both })).toEqual([]);
    expect(m.handle({ kind: 'lobby', at: 5_000 + EXPIRY, hosts: both })).toEqual(toH);
  });

  it('a mark discovery saw go is forgotten at once, as before', () => {
    const { m } = onS(1_000);
    m.handle({ kind: 'lobby', at: 1_500, hosts: [lobbyHost(S)] });
    expect(m.handle({ kind: 'lobby', at: 1_600, hosts: both })).toEqual(toH);
  });

  it('lostHostExpiryMs sets the delay', () => {
    const m = createMember({ selfId: 'me', channel: '#a', lostHostExpiryMs: 100 });
    m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H), lobbyHost(S, 'alive', [])] });
    m.handle({ kind: 'join', target: H });
    m.handle({ kind: 'connected' });
    m.handle({ kind: 'frame', command: standby('S'), at: 1 });
    m.handle({ kind: 'closed' });
    m.handle({ kind: 'connect-failed', refused: true });
    m.handle({ kind: 'connected' });
    expect(wire(m.handle({ kind: 'frame', command: standby('S'), at: 10 }))).toEqual([{ kind: 'schedule', afterMs: 200 }]);
    expect(m.handle({ kind: 'lobby', at: 110, hosts: both })).toEqual(toH);
  });
});

describe('member: history times (docs/protocol.md §2.8)', () => {
  it('keeps the host’s accept time of a history SAY, else the arrival time', () => {
    const { m } = joined([{ cmd: 'SAY', authorId: 'x', text: '1', at: 42 }, say('y', '2')]);
    expect(m.seenPosts()).toEqual([
      { authorId: 'x', text: '1', at: 42 },
      { authorId: 'y', text: '2', at: 20 },
    ]);
  });
});

describe('lostHostExpiryFor', () => {
  it('is six announce intervals, never under 1 s', () => {
    expect(lostHostExpiryFor(2_000)).toBe(12_000);
    expect(lostHostExpiryFor(150)).toBe(1_000);
  });
});
