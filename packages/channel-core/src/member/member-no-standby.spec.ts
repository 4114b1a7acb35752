import { describe, expect, it } from 'vitest';
import { createMember } from './member.js';
import { events, exitSent, H, lobbyHost, S, say, standby, wire } from './member-harness.js';

// Issue 12, items 1 and 4: a host that never sends STANDBY (the draft authors' server,
// docs/protocol.md §7.7), and EXIT before every connection we close that has our JOIN (§2.7).
function joiningOnH() {
  const m = createMember({ selfId: 'me', channel: '#a' });
  m.handle({ kind: 'lobby', at: 0, hosts: [lobbyHost(H)] });
  m.handle({ kind: 'join', target: H });
  m.handle({ kind: 'connected' });
  return m;
}

describe('member: a host that never sends STANDBY', () => {
  it('completes the join on no-standby: what came is history, the user is told once there is no failover target, early posts go out', () => {
    const m = joiningOnH();
    m.handle({ kind: 'post', text: 'early' });
    expect(m.handle({ kind: 'frame', command: say('x', 'old'), at: 10 })).toEqual([]);
    const fx = m.handle({ kind: 'no-standby', at: 20 });
    expect(events(fx)).toEqual([
      { event: 'joined', host: 'H' },
      { event: 'history', author: 'x', text: 'old' },
      { event: 'error', code: 'NO_STANDBY', message: 'H sent no STANDBY after JOIN: the join is complete, but #a has no standby (no member is chosen to take it over if H fails)' },
    ]);
    expect(wire(fx)).toEqual([{ kind: 'send', command: { cmd: 'SAY', text: 'early' } }]);
    expect(m.snapshot()).toMatchObject({ phase: 'joined', host: 'H', standby: 'H' });
  });

  it('then shows live posts, ends pending posts at their echo, and reads a late STANDBY as a standby change', () => {
    const m = joiningOnH();
    m.handle({ kind: 'no-standby', at: 10 });
    expect(m.handle({ kind: 'post', text: 'hi' })).toEqual([{ kind: 'send', command: { cmd: 'SAY', text: 'hi' } }]);
    expect(events(m.handle({ kind: 'frame', command: say('me', 'hi'), at: 20 }))).toEqual([{ event: 'say', author: 'me', text: 'hi' }]);
    expect(events(m.handle({ kind: 'frame', command: say('y', 'live'), at: 30 }))).toEqual([{ event: 'say', author: 'y', text: 'live' }]);
    expect(m.snapshot().pending).toEqual([]);
    expect(events(m.handle({ kind: 'frame', command: standby('S'), at: 40 }))).toEqual([{ event: 'standby', standby: 'S', host: 'H' }]);
  });

  it('tells the user once per membership: a rejoin after a close is quiet and shows only new history', () => {
    const m = joiningOnH();
    m.handle({ kind: 'frame', command: say('x', 'old'), at: 10 });
    m.handle({ kind: 'no-standby', at: 20 });
    expect(m.handle({ kind: 'closed' })).toEqual([{ kind: 'connect', target: H }]);
    m.handle({ kind: 'connected' });
    m.handle({ kind: 'frame', command: say('x', 'old'), at: 30 });
    m.handle({ kind: 'frame', command: say('x', 'new'), at: 40 });
    expect(events(m.handle({ kind: 'no-standby', at: 50 }))).toEqual([{ event: 'history', author: 'x', text: 'new' }]);
  });

  it('ignores no-standby outside a join in progress', () => {
    const m = joiningOnH();
    m.handle({ kind: 'frame', command: standby('H'), at: 10 });
    expect(m.handle({ kind: 'no-standby', at: 20 })).toEqual([]);
    const idle = createMember({ selfId: 'me', channel: '#a' });
    expect(idle.handle({ kind: 'no-standby', at: 0 })).toEqual([]);
  });
});

describe('member: EXIT before closing a connection that has our JOIN', () => {
  it('gives up with EXIT: the host goes silent with its connection open and no other host is left', () => {
    const m = joiningOnH();
    m.handle({ kind: 'no-standby', at: 10 });
    // Discovery still tracks H (disconnected): the member waits for the lobby, closing H with EXIT.
    expect(wire(m.handle({ kind: 'lobby', at: 100, hosts: [lobbyHost(H, 'disconnected')] }))).toEqual([exitSent, { kind: 'disconnect' }]);
    expect(m.handle({ kind: 'lobby', at: 200, hosts: [] })).toEqual([{ kind: 'event', event: { event: 'left', reason: 'lost' } }]);
  });

  it('leaves a joining connection with EXIT, but not one still dialling or one whose JOIN was refused', () => {
    const m = joiningOnH();
    expect(wire(m.handle({ kind: 'exit' }))).toEqual([exitSent, { kind: 'disconnect' }]);
    const dialling = createMember({ selfId: 'me', channel: '#a' });
    dialling.handle({ kind: 'join', target: H });
    expect(wire(dialling.handle({ kind: 'exit' }))).toEqual([{ kind: 'disconnect' }]);
    const refused = joiningOnH();
    expect(wire(refused.handle({ kind: 'frame', command: { cmd: 'ERROR', reason: 'CHANNEL_FULL: full' }, at: 10 }))).toEqual([{ kind: 'disconnect' }, { kind: 'schedule', afterMs: 250 }]);
  });

  it('moves from a silent host with EXIT (the timer path), and from a partition loser with one EXIT', () => {
    const m = joiningOnH();
    m.handle({ kind: 'frame', command: standby('S'), at: 10 });
    expect(wire(m.handle({ kind: 'lobby', at: 100, hosts: [lobbyHost(H, 'disconnected'), lobbyHost(S, 'alive', [])] }))).toEqual([exitSent, { kind: 'disconnect' }, { kind: 'connect', target: S }]);
    const p = joiningOnH();
    p.handle({ kind: 'frame', command: standby('H'), at: 10 });
    const A = { peerId: 'A', address: '127.0.0.4', port: 50_005 };
    expect(wire(p.handle({ kind: 'lobby', at: 100, hosts: [lobbyHost(A), lobbyHost(H)] }))).toEqual([exitSent, { kind: 'disconnect' }, { kind: 'connect', target: A }]);
  });
});
