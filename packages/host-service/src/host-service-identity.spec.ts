/**
 * Secure mode's identity rule (identity-check.ts, docs/protocol.md §6.2): on a connection whose
 * remote proved a peer ID, JOIN names that ID or none. Memory transport views carrying a proven
 * peer ID, as over TLS; virtual time.
 */
import { createLogger } from '@ims/app-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeDiscovery } from '../test/fake-discovery.js';
import { hostWorld, stopAll } from '../test/host-world.js';
import { isError, isSay, isStandby } from '../test/memory-client.js';
import type { DiscoveredPeer } from './host-discovery.js';

afterEach(stopAll);

type Line = Record<string, unknown> & { event: string; level: string };

function collect() {
  const lines: Line[] = [];
  const logger = createLogger({ level: 'info', stream: { write: (l) => lines.push(JSON.parse(l) as Line) } });
  return { lines, logger };
}

/** A peer discovery shows alive at `address`, able to host (a standby candidate). */
/** Options of a host service whose connections are secure (it proves `kHost`, its clients their own IDs). */
const secure = (w: ReturnType<typeof hostWorld>, extra: Parameters<ReturnType<typeof hostWorld>['start']>[1] = {}) => ({ peerId: 'kHost', transport: w.proven('kHost', '127.0.0.1'), ...extra });

const hostingPeer = (id: string, address: string): DiscoveredPeer => ({ id, address, nick: id, server: { address, port: 50_100 }, channels: [], isDedicatedServer: false, state: 'alive' });

describe('host service: secure mode, JOIN names the proven peer ID', () => {
  it('a connection proven as B joining as A gets IDENTITY_MISMATCH and is closed: no history, no membership, others unaffected', async () => {
    const w = hostWorld();
    const log = collect();
    const svc = await w.start({}, secure(w, { logger: log.logger }));
    const alice = await w.joined(svc, '#room', 'kA', { from: '10.0.0.1', provenAs: 'kA' });
    alice.send({ cmd: 'SAY', text: 'before' });
    await alice.next(isSay('before'));

    const bob = await w.client(svc, { from: '10.0.0.2', provenAs: 'kB' });
    bob.send({ cmd: 'JOIN', channel: '#room', clientId: 'kA' }, { cmd: 'SAY', text: 'I am A' });
    const refusal = await bob.next(isError('IDENTITY_MISMATCH'));
    expect(refusal).toEqual({ cmd: 'ERROR', reason: "IDENTITY_MISMATCH: JOIN clientId kA is not this connection's proven peer ID kB" });
    await bob.waitClosed();
    // Nothing of the channel reached the impostor: only its ERROR; its SAY reached nobody.
    expect(bob.commands()).toEqual([refusal]);
    expect(svc.snapshot().channels[0]?.members.map((m) => m.id)).toEqual(['kA']);
    alice.send({ cmd: 'SAY', text: 'after' });
    expect(await alice.next(isSay('after'))).toMatchObject({ authorId: 'kA' });
    expect(alice.commands().some((c) => c.cmd === 'SAY' && c.text === 'I am A')).toBe(false);
    expect(alice.info).toBeUndefined();
    expect(svc.stats().errors['IDENTITY_MISMATCH']).toBe(1);
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({ event: 'host.refused', code: 'IDENTITY_MISMATCH', peer: 'kB', claimed: 'kA', channel: '#room' }),
    ]);
  });

  it('a JOIN without clientId takes the proven peer ID (membership and authorship)', async () => {
    const w = hostWorld();
    const svc = await w.start({}, secure(w));
    const alice = await w.joined(svc, '#room', 'kA', { provenAs: 'kA' });
    const carol = await w.client(svc, { from: '10.0.0.3', provenAs: 'kC' });
    carol.send({ cmd: 'JOIN', channel: '#room' });
    await carol.next(isStandby);
    carol.send({ cmd: 'SAY', text: 'hello' });
    expect(await alice.next(isSay('hello'))).toMatchObject({ authorId: 'kC' });
    expect(svc.snapshot().channels[0]?.members.map((m) => m.id)).toEqual(['kA', 'kC']);
    expect(svc.stats().errors['IDENTITY_MISMATCH']).toBeUndefined();
  });

  it('a private channel admits by proven ID: a stranger claiming an admitted ID is refused, the admitted peer joins, the standby gets the list', async () => {
    const w = hostWorld();
    const d = fakeDiscovery();
    const svc = await w.start({}, secure(w, { discovery: d.discovery }));
    d.peers$.next([hostingPeer('kB', '10.0.0.2')]);
    const alice = await w.joined(svc, '@team', 'kA', { from: '10.0.0.1', provenAs: 'kA' });
    alice.send({ cmd: 'INVITE', clientIds: ['kB'] });
    // B joins, is picked as standby and gets the admission list with its STANDBY (docs/protocol.md §2.8).
    const bob = await w.joined(svc, '@team', 'kB', { from: '10.0.0.2', provenAs: 'kB' });
    const list = await bob.next((c) => c.cmd === 'STANDBY' && c.admitted !== undefined);
    expect(list).toMatchObject({ peerId: 'kB', admitted: ['kA', 'kB'] });

    const stranger = await w.client(svc, { from: '10.0.0.66', provenAs: 'kC' });
    stranger.send({ cmd: 'JOIN', channel: '@team', clientId: 'kA' });
    expect(await stranger.next(isError())).toMatchObject({ reason: expect.stringMatching(/^IDENTITY_MISMATCH:/) });
    await stranger.waitClosed();
    // Without a clientId it is itself, and not admitted.
    const again = await w.client(svc, { from: '10.0.0.66', provenAs: 'kC' });
    again.send({ cmd: 'JOIN', channel: '@team' });
    expect(await again.next(isError())).toMatchObject({ reason: expect.stringMatching(/^NOT_INVITED:/) });
    expect(svc.snapshot().channels[0]?.members.map((m) => m.id)).toEqual(['kA', 'kB']);
    expect(svc.stats().errors).toMatchObject({ IDENTITY_MISMATCH: 1, NOT_INVITED: 1 });
  });

  it('echoes at most 64 characters of a claimed clientId; a joined connection that JOINs again as another ID is closed too', async () => {
    const w = hostWorld();
    const svc = await w.start({}, secure(w));
    const long = await w.client(svc, { from: '10.0.0.2', provenAs: 'kB' });
    long.send({ cmd: 'JOIN', channel: '#room', clientId: 'x'.repeat(1_000) });
    expect(await long.next(isError())).toEqual({ cmd: 'ERROR', reason: `IDENTITY_MISMATCH: JOIN clientId ${'x'.repeat(64)}... is not this connection's proven peer ID kB` });
    const bob = await w.joined(svc, '#room', 'kB', { from: '10.0.0.2', provenAs: 'kB' });
    bob.send({ cmd: 'JOIN', channel: '#room', clientId: 'kA' });
    await bob.next(isError('IDENTITY_MISMATCH'));
    await bob.waitClosed();
    await w.vt.settle();
    expect(svc.snapshot().channels).toEqual([]);
    expect(svc.stats().errors['IDENTITY_MISMATCH']).toBe(2);
  });

  it('an impostor reconnecting in a loop makes one warn line per window (offender log), every refusal counted', async () => {
    const w = hostWorld();
    const log = collect();
    const svc = await w.start({}, secure(w, { logger: log.logger }));
    for (let i = 0; i < 20; i++) {
      const c = await w.client(svc, { from: '10.0.0.66', provenAs: 'kM' });
      c.send({ cmd: 'JOIN', channel: '#room', clientId: `victim${i}` });
      await c.waitClosed();
    }
    expect(svc.stats().errors['IDENTITY_MISMATCH']).toBe(20);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.code)).toEqual(['IDENTITY_MISMATCH']);
  });

  it('plain connections (no proven ID) join under any clientId, as before', async () => {
    const w = hostWorld();
    const svc = await w.start();
    const c = await w.joined(svc, '#room', 'anything');
    c.send({ cmd: 'SAY', text: 'plain' });
    expect(await c.next(isSay('plain'))).toMatchObject({ authorId: 'anything' });
    expect(svc.stats().errors).toEqual({});
  });
});
