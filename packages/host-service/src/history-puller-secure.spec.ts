/**
 * The history puller in secure mode (history-puller.ts, docs/protocol.md §5.8): it dials the loser
 * expecting its peer ID, and JOINs as this host's own proven peer ID, the only one the loser
 * accepts. Two host services on memory transport views carrying proven peer IDs; virtual time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@ims/app-kit';
import type { ServerCommand } from '@ims/codec';
import { fakeDiscovery } from '../test/fake-discovery.js';
import { type HostWorld, hostWorld, stopAll } from '../test/host-world.js';
import { isSay } from '../test/memory-client.js';
import type { DiscoveredPeer } from './host-discovery.js';
import type { HostService } from './host-service-types.js';

afterEach(stopAll);

type Line = Record<string, unknown> & { event: string; level: string };

const serverPeer = (id: string, svc: HostService, channels: readonly string[]): DiscoveredPeer => ({
  id,
  address: svc.endpoint.address,
  nick: undefined,
  server: svc.endpoint,
  channels,
  isDedicatedServer: true,
  state: 'alive',
});

const sayTexts = (cmds: readonly ServerCommand[]): string[] => cmds.flatMap((c) => (c.cmd === 'SAY' ? [c.text] : []));

/** Host `id` listening at `address` on a view that proves `id`, its log lines collected. */
async function provenHost(w: HostWorld, id: string, address: string) {
  const lines: Line[] = [];
  const logger = createLogger({ level: 'info', stream: { write: (l) => lines.push(JSON.parse(l) as Line) } });
  const d = fakeDiscovery();
  const svc = await w.start({}, { peerId: id, discovery: d.discovery, transport: w.proven(id, address), listen: { address }, logger });
  return { svc, d, lines };
}

describe('history puller, secure mode (memory transport with proven peer IDs, virtual time)', () => {
  it('the winner JOINs the loser as its own proven peer ID: accepted, merged, gone again', async () => {
    const w = hostWorld();
    const a = await provenHost(w, 'kA', '10.0.0.1');
    const b = await provenHost(w, 'kB', '10.0.0.2');
    const bob = await w.joined(b.svc, '#room', 'kBob', { from: '10.0.0.22', provenAs: 'kBob' });
    const alice = await w.joined(a.svc, '#room', 'kAlice', { from: '10.0.0.11', provenAs: 'kAlice' });
    bob.send({ cmd: 'SAY', text: 'b1' });
    await bob.next(isSay('b1'));

    a.d.peers$.next([serverPeer('kB', b.svc, ['#room'])]);
    await alice.next(isSay('b1'));
    expect(a.svc.stats().historyPulls).toEqual({ pulls: 1, failures: 0, posts: 1 });
    expect(b.svc.stats().errors['IDENTITY_MISMATCH']).toBeUndefined();
    expect(b.lines.filter((l) => l.event === 'host.joined').map((l) => l['peer'])).toEqual(['kBob', 'kA']);
    await w.vt.settle();
    expect(b.svc.snapshot().channels[0]?.members.map((m) => m.id)).toEqual(['kBob']);
  });

  it('a loser endpoint answered by another identity (a forged PDU) fails the pull before any JOIN: nothing merged', async () => {
    const w = hostWorld();
    const a = await provenHost(w, 'kA', '10.0.0.1');
    const c = await provenHost(w, 'kC', '10.0.0.3');
    const alice = await w.joined(a.svc, '#room', 'kAlice', { from: '10.0.0.11', provenAs: 'kAlice' });
    const carol = await w.joined(c.svc, '#room', 'kCarol', { from: '10.0.0.33', provenAs: 'kCarol' });
    carol.send({ cmd: 'SAY', text: 'not for kA' });
    await carol.next(isSay('not for kA'));

    // Discovery says kB announces #room at kC's endpoint.
    a.d.peers$.next([serverPeer('kB', c.svc, ['#room'])]);
    await w.vt.advance(0);
    expect(a.svc.stats().historyPulls).toMatchObject({ pulls: 0, failures: 1 });
    expect(a.lines.find((l) => l.event === 'host.history_pull_failed')).toMatchObject({ peer: 'kB', code: 'PEER_MISMATCH' });
    expect(c.lines.filter((l) => l.event === 'host.joined').map((l) => l['peer'])).toEqual(['kCarol']);
    await w.vt.advance(5_000);
    expect(sayTexts(alice.commands())).toEqual([]);
  });

  it('our own member session in the loser’s channel is never REPLACED by a pull: the pull waits for the check, is refused ID_IN_USE, and succeeds once the member left', async () => {
    const w = hostWorld();
    const a = await provenHost(w, 'kA', '10.0.0.1');
    const b = await provenHost(w, 'kB', '10.0.0.2');
    const bob = await w.joined(b.svc, '#room', 'kBob', { from: '10.0.0.22', provenAs: 'kBob' });
    // kA's own member session at kB, from kA's address (a peer-client following the loser's copy).
    const ours = await w.joined(b.svc, '#room', 'kA', { from: '10.0.0.1', provenAs: 'kA' });
    const alice = await w.joined(a.svc, '#room', 'kAlice', { from: '10.0.0.11', provenAs: 'kAlice' });
    bob.send({ cmd: 'SAY', text: 'b1' });
    await bob.next(isSay('b1'));

    a.d.peers$.next([serverPeer('kB', b.svc, ['#room'])]);
    await w.vt.advance(2_000);
    expect(a.svc.stats().historyPulls).toMatchObject({ pulls: 0, failures: 1 });
    expect(a.lines.find((l) => l.event === 'host.history_pull_failed')).toMatchObject({ code: 'REFUSED', reason: expect.stringMatching(/^ID_IN_USE:/) });
    expect(ours.info).toBeUndefined();
    expect(ours.commands().some((c) => c.cmd === 'ERROR')).toBe(false);

    ours.send({ cmd: 'EXIT' });
    await alice.next(isSay('b1'));
    expect(a.svc.stats().historyPulls).toMatchObject({ pulls: 1, posts: 1 });
  });
});
