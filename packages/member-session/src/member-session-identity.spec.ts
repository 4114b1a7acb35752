/**
 * Secure mode, member side (host-dial.ts): every dial expects the peer ID discovery, STANDBY or the
 * lobby named for that endpoint; another identity there fails that target (PEER_MISMATCH,
 * docs/protocol.md §5.5). Memory transport views carrying a proven peer ID, as over TLS; virtual time.
 */
import { BehaviorSubject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { LobbyHost } from '@ims/channel-core';
import { SessionWorld, standbyOf } from '../test/session-world.js';

describe('member session: secure mode dials expect the named peer ID (memory transport, virtual time)', () => {
  it('fails over past a standby whose endpoint another identity answers (PEER_MISMATCH) to the next candidate', async () => {
    const w = new SessionWorld();
    const h = await w.host('kH', '10.0.0.1', (end) => end.send({ cmd: 'STANDBY', peerId: 'kS', successors: ['kT'] }), undefined, 'kH');
    // kS's endpoint, as the lobby shows it, is answered by kM.
    const impostor = await w.host('kM', '10.0.0.2', standbyOf('kM'), undefined, 'kM');
    const t = await w.host('kT', '10.0.0.3', standbyOf('kT'), undefined, 'kT');
    const standbyEntry: LobbyHost = { ...impostor.lobby([]), id: 'kS' };
    const hosts$ = new BehaviorSubject<readonly LobbyHost[]>([h.lobby(['#room']), standbyEntry, t.lobby([])]);
    const s = w.start(h.target, { selfId: 'kA', hosts$, provenAs: 'kA' });
    await s.event('standby', (e) => e.event === 'standby' && e.standby === 'kS');

    w.net.kill('10.0.0.1', h.target.port);
    expect(await s.event('failover', (e) => e.event === 'failover')).toMatchObject({ from: 'kH', host: 'kT' });
    // The impostor got no JOIN (its endpoint never became a connection of the session).
    expect(impostor.ends.flatMap((e) => e.commands)).toEqual([]);
    expect((await t.joined(0)).commands[0]).toEqual({ cmd: 'JOIN', channel: '#room', clientId: 'kA' });
    const mismatch = s.logs.find((l) => l['event'] === 'member.peer_mismatch');
    expect(mismatch).toMatchObject({ level: 'warn', peer: 'kS', expected: 'kS', proven: 'kM', endpoint: `10.0.0.2:${impostor.target.port}` });
    expect(s.inputs).toContainEqual({ kind: 'connect-failed', refused: true });
  });

  it('a first join whose named host is answered by another identity is refused, never joined', async () => {
    const w = new SessionWorld();
    const impostor = await w.host('kM', '10.0.0.2', standbyOf('kM'), undefined, 'kM');
    const s = w.start({ ...impostor.target, peerId: 'kH' }, { selfId: 'kA', provenAs: 'kA' });
    await s.event('left', (e) => e.event === 'left');
    expect(s.events.map((e) => e.event)).toEqual(['error', 'left']);
    expect(impostor.ends.flatMap((e) => e.commands)).toEqual([]);
    expect(s.logs.find((l) => l['event'] === 'member.peer_mismatch')).toMatchObject({ peer: 'kH', proven: 'kM' });
  });

  it('an explicit host:port (targetIdKnown: false) accepts any proven network member', async () => {
    const w = new SessionWorld();
    const h = await w.host('kX', '10.0.0.2', standbyOf('kX'), undefined, 'kX');
    const s = w.start({ ...h.target, peerId: '10.0.0.2' }, { selfId: 'kA', provenAs: 'kA', targetIdKnown: false });
    await s.event('joined', (e) => e.event === 'joined');
    expect((await h.joined(0)).commands[0]).toEqual({ cmd: 'JOIN', channel: '#room', clientId: 'kA' });
    expect(s.logs.some((l) => l['event'] === 'member.peer_mismatch')).toBe(false);
  });

  it('plain mode: a host that proves nothing is joined under any name, as before', async () => {
    const w = new SessionWorld();
    const h = await w.host('h', '10.0.0.1', standbyOf('h'));
    const s = w.start({ ...h.target, peerId: 'whoever' });
    expect(await s.event('joined', (e) => e.event === 'joined')).toMatchObject({ host: 'whoever' });
  });
});
