import { describe, expect, it } from 'vitest';
import { exitSent, H, joined, lobbyHost, S, wire } from './member-harness.js';

// Issue 11: a datagram cannot override a live connection (docs/protocol.md §5.4). Only silence
// (`disconnected`, or a drop that followed suspicion) or the connection closing moves a member.
describe('member: a healthy connection outweighs the lobby', () => {
  it('stays joined when its host drops out of the lobby (it stopped announcing SERVER_OPTION, or a forged PDU said so)', () => {
    const { m } = joined();
    expect(m.handle({ kind: 'lobby', at: 100, hosts: [lobbyHost(S, 'alive', [])] })).toEqual([]);
    expect(m.handle({ kind: 'lobby', at: 200, hosts: [lobbyHost(S, 'alive', [])] })).toEqual([]);
    expect(m.snapshot()).toMatchObject({ phase: 'joined', host: 'H' });
    // The connection closing is still the fast path.
    expect(m.handle({ kind: 'closed' })).toEqual([{ kind: 'connect', target: H }]);
  });

  it('a host that went silent is still left: dropped after it was suspect, or shown disconnected', () => {
    const { m } = joined();
    m.handle({ kind: 'lobby', at: 100, hosts: [lobbyHost(S, 'alive', [])] });
    m.handle({ kind: 'lobby', at: 200, hosts: [lobbyHost(H), lobbyHost(S, 'alive', [])] });
    expect(m.handle({ kind: 'lobby', at: 300, hosts: [lobbyHost(H, 'maybeDisconnected'), lobbyHost(S, 'alive', [])] })).toEqual([]);
    // Half-open: the TCP connection never closes, discovery's silence decides.
    expect(wire(m.handle({ kind: 'lobby', at: 400, hosts: [lobbyHost(S, 'alive', [])] }))).toEqual([exitSent, { kind: 'disconnect' }, { kind: 'connect', target: S }]);
  });

  it('shown disconnected while the connection is open: fails over (the timer path)', () => {
    const { m } = joined();
    expect(wire(m.handle({ kind: 'lobby', at: 100, hosts: [lobbyHost(H, 'disconnected'), lobbyHost(S, 'alive', [])] }))).toEqual([
      exitSent,
      { kind: 'disconnect' },
      { kind: 'connect', target: S },
    ]);
  });

  it('while not joined (reconnecting), a host gone from the lobby is still given up', () => {
    const { m } = joined();
    m.handle({ kind: 'closed' });
    // Still dialling: the host never had this connection's JOIN, so no EXIT.
    expect(wire(m.handle({ kind: 'lobby', at: 100, hosts: [lobbyHost(S, 'alive', [])] }))).toEqual([{ kind: 'disconnect' }, { kind: 'connect', target: S }]);
  });
});
