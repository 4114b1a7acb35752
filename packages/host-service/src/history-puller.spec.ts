import { afterEach, describe, expect, it } from 'vitest';
import { serverSideDecoder, type ServerCommand } from '@ims/codec';
import { createLogger } from '@ims/app-kit';
import { fakeDiscovery } from '../test/fake-discovery.js';
import { type HostWorld, hostWorld, stopAll } from '../test/host-world.js';
import { isSay, isStandby } from '../test/memory-client.js';
import type { DiscoveredPeer } from './host-discovery.js';
import type { HostService } from './host-service-types.js';
import { HistoryPuller } from './history-puller.js';

afterEach(stopAll);

/** `svc` as another host's discovery shows it: a dedicated server announcing `channels`. */
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

/** Two hosts on one network: `a-host` (the smaller ID, winner of docs/protocol.md §5.8) and `b-host`. */
async function twoHosts(w: HostWorld) {
  const da = fakeDiscovery();
  const db = fakeDiscovery();
  const a = await w.start({}, { peerId: 'a-host', discovery: da.discovery });
  const b = await w.start({}, { peerId: 'b-host', discovery: db.discovery });
  return { a, b, da, db };
}

describe('history puller (two host services, memory transport, virtual time)', () => {
  it('the winner pulls the loser’s copy: its members get the missing posts once, a newcomer the union in time order', async () => {
    const w = hostWorld();
    const { a, b, da } = await twoHosts(w);
    const bob = await w.joined(b, '#room', 'bob');
    const alice = await w.joined(a, '#room', 'alice');
    bob.send({ cmd: 'SAY', text: 'b1' });
    await bob.next(isSay('b1'));
    await w.vt.advance(10);
    alice.send({ cmd: 'SAY', text: 'a1' });
    await alice.next(isSay('a1'));
    await w.vt.advance(10);
    bob.send({ cmd: 'SAY', text: 'b2' });
    await bob.next(isSay('b2'));

    // The heal: a-host's discovery sees b-host announce #room, which a-host announces too.
    da.peers$.next([serverPeer('b-host', b, ['#room'])]);
    await alice.next(isSay('b2'));
    expect(sayTexts(alice.commands())).toEqual(['a1', 'b1', 'b2']);
    expect(a.stats().historyPulls).toEqual({ pulls: 1, failures: 0, posts: 2 });

    const carol = await w.joined(a, '#room', 'carol');
    const history = carol.commands().filter((c) => c.cmd === 'SAY');
    expect(history).toEqual([
      { cmd: 'SAY', authorId: 'bob', text: 'b1', at: 0 },
      { cmd: 'SAY', authorId: 'alice', text: 'a1', at: 10 },
      { cmd: 'SAY', authorId: 'bob', text: 'b2', at: 20 },
    ]);
    // The pull joined b-host's channel under its own clientId and left it again.
    await w.vt.settle();
    expect(b.snapshot().channels[0]?.members.map((m) => m.id)).toEqual(['bob']);
  });

  it('pulls again while the loser keeps announcing the channel, and merges only what is new', async () => {
    const w = hostWorld();
    const { a, b, da } = await twoHosts(w);
    const bob = await w.joined(b, '#room', 'bob');
    const alice = await w.joined(a, '#room', 'alice');
    bob.send({ cmd: 'SAY', text: 'b1' });
    await bob.next(isSay('b1'));
    da.peers$.next([serverPeer('b-host', b, ['#room'])]);
    await alice.next(isSay('b1'));
    bob.send({ cmd: 'SAY', text: 'b2' });
    await bob.next(isSay('b2'));
    await alice.next(isSay('b2')); // the re-pull, 15 s later
    expect(w.vt.now()).toBeGreaterThanOrEqual(15_000);
    expect(sayTexts(alice.commands())).toEqual(['b1', 'b2']);
    expect(a.stats().historyPulls).toMatchObject({ pulls: 2, posts: 3 });
    // The loser stops announcing it: no more pulls.
    da.peers$.next([serverPeer('b-host', b, [])]);
    await w.vt.advance(60_000);
    expect(a.stats().historyPulls.pulls).toBe(2);
  });

  it('the loser that hears the winner first keeps announcing the channel a while, so the winner still pulls its copy', async () => {
    const w = hostWorld();
    const { a, b, da, db } = await twoHosts(w);
    const bob = await w.joined(b, '#room', 'bob');
    const alice = await w.joined(a, '#room', 'alice');
    bob.send({ cmd: 'SAY', text: 'from b' });
    await bob.next(isSay('from b'));
    // b-host hears a-host first and yields #room (the reducer drops it), but still announces it now.
    db.peers$.next([serverPeer('a-host', a, ['#room'])]);
    await w.vt.settle();
    expect(db.servers.at(-1)?.channels).toEqual(['#room']);
    // a-host hears that announcement: it pulls.
    da.peers$.next([serverPeer('b-host', b, db.servers.at(-1)?.channels ?? [])]);
    await alice.next(isSay('from b'));
    // 5 s later b-host announces without it.
    const at = w.vt.now();
    await w.vt.advance(5_000);
    expect(db.servers.at(-1)?.channels).toEqual([]);
    expect(w.vt.now() - at).toBe(5_000);
  });

  it('never pulls from a smaller ID, a disconnected peer, or a channel it does not announce', async () => {
    const w = hostWorld();
    const { a, b, db, da } = await twoHosts(w);
    await w.joined(a, '#room', 'alice');
    await w.joined(b, '#room', 'bob');
    // b-host is the loser: a-host announcing #room is for b-host to yield, not to pull.
    db.peers$.next([serverPeer('a-host', a, ['#room'])]);
    da.peers$.next([{ ...serverPeer('b-host', b, ['#room']), state: 'disconnected' }]);
    da.peers$.next([serverPeer('b-host', b, ['#other'])]);
    await w.vt.advance(30_000);
    expect(a.stats().historyPulls).toEqual({ pulls: 0, failures: 0, posts: 0 });
    expect(b.stats().historyPulls).toEqual({ pulls: 0, failures: 0, posts: 0 });
  });

  it('retries a failed pull with backoff, one at a time, until the peer stops announcing', async () => {
    const w = hostWorld();
    const d = fakeDiscovery();
    const a = await w.start({}, { peerId: 'a-host', discovery: d.discovery });
    await w.joined(a, '#room', 'alice');
    const gone: DiscoveredPeer = { id: 'b-host', address: '127.0.0.9', nick: undefined, server: { address: '127.0.0.9', port: 50_000 }, channels: ['#room'], isDedicatedServer: true, state: 'alive' };
    d.peers$.next([gone]);
    await w.vt.advance(0);
    expect(a.stats().historyPulls.failures).toBe(1);
    await w.vt.advance(999);
    expect(a.stats().historyPulls.failures).toBe(1);
    await w.vt.advance(1); // 1 s
    expect(a.stats().historyPulls.failures).toBe(2);
    await w.vt.advance(2_000); // then 2 s
    expect(a.stats().historyPulls.failures).toBe(3);
    d.peers$.next([{ ...gone, channels: [] }]);
    await w.vt.advance(120_000);
    expect(a.stats().historyPulls.failures).toBe(3);
  });

  it('gives up on a host that never answers the JOIN, at the timeout, with EXIT before the close', async () => {
    const w = hostWorld();
    const listener = await w.net.listen({ decoder: () => serverSideDecoder({ maxFrameBytes: 65_536 }), port: 50_001 });
    const got: string[] = [];
    listener.connections$.subscribe((conn) => conn.attach({ frame: (d) => void (d.ok && got.push(d.value.cmd)), closed: () => void got.push('(closed)') }));
    const merged: number[] = [];
    const puller = new HistoryPuller({
      peerId: 'a-host',
      transport: w.net,
      scheduler: w.vt.scheduler,
      logger: createLogger({ level: 'silent' }),
      historyLimit: 10,
      maxFrameBytes: 65_536,
      merge: (_c, posts) => merged.push(posts.length),
      timeoutMs: 5_000,
    });
    puller.announce(['#room']);
    puller.setPeers([{ id: 'b-host', address: listener.address, nick: undefined, server: { address: listener.address, port: listener.port }, channels: ['#room'], isDedicatedServer: true, state: 'alive' }]);
    await w.vt.advance(4_999);
    expect(puller.stats().failures).toBe(0);
    await w.vt.advance(1);
    expect(puller.stats()).toEqual({ pulls: 0, failures: 1, posts: 0 });
    expect(merged).toEqual([]);
    await w.vt.advance(10);
    // docs/protocol.md §2.7: the host had our JOIN, so it hears EXIT (a Java server never sends STANDBY).
    expect(got).toEqual(['JOIN', 'EXIT', '(closed)']);
    puller.stop();
    await w.vt.until(listener.close());
  });

  it('a newcomer of the winner after the merge sees every post once, and the loser’s members are not disturbed', async () => {
    const w = hostWorld();
    const { a, b, da } = await twoHosts(w);
    const bob = await w.joined(b, '#room', 'bob');
    const alice = await w.joined(a, '#room', 'alice');
    for (const t of ['same', 'same', 'only-b']) bob.send({ cmd: 'SAY', text: t });
    await bob.next(isSay('only-b'));
    alice.send({ cmd: 'SAY', text: 'same' });
    await alice.next(isSay('same'));
    da.peers$.next([serverPeer('b-host', b, ['#room'])]);
    await alice.next(isSay('only-b'));
    const dave = await w.client(a);
    dave.send({ cmd: 'JOIN', channel: '#room', clientId: 'dave' });
    await dave.next(isStandby);
    const texts = dave.commands().flatMap((c) => (c.cmd === 'SAY' ? [`${c.authorId}:${c.text}`] : []));
    // All at one time: this host's own post first, then the pulled ones in their order.
    expect(texts).toEqual(['alice:same', 'bob:same', 'bob:same', 'bob:only-b']);
    // Bob saw his own three posts and one STANDBY per JOIN (his own and the pull's): nothing else.
    expect(sayTexts(bob.commands())).toEqual(['same', 'same', 'only-b']);
  });
});
