/**
 * Failover end to end (docs/protocol.md §5) with real peer-client processes on loopback: a hosting
 * peer and three clients in one channel; the host is killed or stopped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { filter, firstValueFrom, take, timeout, toArray } from 'rxjs';
import { decodePdu } from '@ims/codec';
import { udpPort } from '@ims/discovery';
import { killAll, randomDiscoveryPort, shown, spawnPeer, spawnServer, type EventLine, type PeerProcess } from './peer-process.js';

const INTERVAL_MS = 100;
let peers: PeerProcess[] = [];

afterEach(async () => {
  await killAll(peers);
  peers = [];
});

const is = (event: string, fields: Record<string, unknown> = {}) => (e: EventLine) =>
  e.event === event && Object.entries(fields).every(([k, v]) => e[k] === v);

/** Host `srv` creates #room on itself; clients c1..c3 join it; resolves once all agree on a standby. */
async function setUp(intervalMs = INTERVAL_MS) {
  const net = { discoveryPort: randomDiscoveryPort(), intervalMs };
  const srv = spawnPeer('srv', ['chat', '#room', '--json'], net);
  peers.push(srv);
  await srv.waitFor(is('joined', { host: 'srv' }), 'joined on itself', 30_000);
  const clients: PeerProcess[] = [];
  for (const id of ['c1', 'c2', 'c3']) {
    const c = spawnPeer(id, ['chat', '#room', '--server', 'srv', '--json'], net);
    peers.push(c);
    clients.push(c);
    // One at a time: the standby is the longest-joined candidate, so c1 (docs/architecture.md).
    await c.waitFor(is('joined', { host: 'srv' }), 'joined on srv', 30_000);
  }
  const last = (p: PeerProcess): EventLine | undefined => p.events.filter((e) => e.event === 'standby').at(-1);
  // Every member learns the standby from STANDBY; c3's join made the host announce it to all.
  await Promise.all(clients.map((c) => c.waitFor((e) => e.event === 'standby' && e['standby'] !== 'srv', 'a standby')));
  const standby = String(last(clients[2] as PeerProcess)?.['standby']);
  return { srv, clients, standby, net };
}

describe('peer-client failover', () => {
  it('SIGKILL of the host: every client ends up on the standby with the history, the last post exactly once', async () => {
    const { srv, clients, standby, net } = await setUp();
    const [c1, c2, c3] = clients as [PeerProcess, PeerProcess, PeerProcess];
    expect(['c1', 'c2', 'c3']).toContain(standby);
    c1.post('before');
    await Promise.all(clients.map((c) => c.waitFor(is('say', { text: 'before', author: 'c1' }), 'say before')));
    // A post made just before the kill: it may or may not have reached the host.
    c2.post('just before the kill');
    srv.proc.kill('SIGKILL');
    await Promise.all(clients.map((c) => c.waitFor(is('failover', { host: standby, from: 'srv' }), `failover to ${standby}`)));
    // c2 sends a marker after its own re-sends, on the same connection: once every client has the
    // marker, any duplicate of the re-sent post would already have arrived.
    c2.post('marker');
    await Promise.all(clients.map((c) => c.waitFor(is('say', { text: 'marker' }), 'marker')));
    for (const c of clients) {
      expect(shown(c, 'before'), `${c.id} before`).toHaveLength(1);
      expect(shown(c, 'just before the kill'), `${c.id} last post`).toHaveLength(1);
      expect(shown(c, 'marker'), `${c.id} marker`).toHaveLength(1);
      expect(c.events.filter((e) => e.event === 'not-json')).toEqual([]);
    }
    // History intact: a newcomer joining on the standby gets everything, in order.
    const late = spawnPeer('late', ['chat', '#room', '--server', standby, '--json', '--no-host'], net);
    peers.push(late);
    await late.waitFor(is('standby'), 'standby after join');
    const history = late.events.filter((e) => e.event === 'history').map((e) => e['text']);
    expect(history.filter((t) => t === 'before' || t === 'just before the kill' || t === 'marker')).toEqual(['before', 'just before the kill', 'marker']);
    expect(c3.events.some(is('left'))).toBe(false);
  });

  it('SIGSTOP of the host: the clients fail over on the timer path (three silent intervals)', async () => {
    const { srv, clients, standby, net } = await setUp();
    // Every client must have learned the host's interval (docs/protocol.md §4.1: three regular gaps;
    // before that a peer is not disconnected before 15 s): let the last joiner hear a few more PDUs.
    const group = await udpPort({ port: net.discoveryPort });
    const fromSrv = (d: { data: Uint8Array }) => {
      const r = decodePdu(d.data);
      return r.ok && r.value.peerId === 'srv';
    };
    await firstValueFrom(group.messages$.pipe(filter(fromSrv), take(5), toArray(), timeout(10_000))).finally(() => group.close());
    const [c1] = clients as [PeerProcess];
    c1.post('before the stop');
    await Promise.all(clients.map((c) => c.waitFor(is('say', { text: 'before the stop' }), 'say before the stop')));
    // The connection stays open and nothing is refused: only discovery's liveness can tell.
    srv.proc.kill('SIGSTOP');
    const failovers = await Promise.all(clients.map((c) => c.waitFor(is('failover', { from: 'srv' }), 'failover')));
    // Each client judges the silence on its own clock: the first to fail over makes the standby
    // announce #room, and a client that has not yet timed srv out moves there by partition heal
    // (docs/protocol.md §5.8: the standby's ID is the smaller). Either way, all end on the standby.
    expect(failovers.map((f) => f['host'])).toEqual(clients.map(() => standby));
    for (const f of failovers) expect(['silent', 'partition']).toContain(f['reason']);
    expect(failovers.some((f) => f['reason'] === 'silent')).toBe(true);
    c1.post('after the stop');
    await Promise.all(clients.map((c) => c.waitFor(is('say', { text: 'after the stop' }), 'say after the stop')));
    for (const c of clients) expect(shown(c, 'before the stop'), c.id).toHaveLength(1);
  });

  it('a host that answers again before the timer runs out keeps its members', async () => {
    // Longer interval: the pause below (1.25 intervals) must stay well inside the three intervals.
    const intervalMs = 400;
    const { srv, clients } = await setUp(intervalMs);
    const [c1] = clients as [PeerProcess];
    const stoppedAt = Date.now();
    srv.proc.kill('SIGSTOP');
    // These pauses are the scenario, not synchronisation: the host is silent for 1.25 intervals
    // (maybeDisconnected), then resumes; the check runs once the three-interval timer would have
    // fired had the silence counted as a loss.
    await new Promise((resolve) => setTimeout(resolve, intervalMs * 1.25));
    srv.proc.kill('SIGCONT');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, stoppedAt + intervalMs * 4 - Date.now())));
    c1.post('still here');
    await Promise.all([...clients, srv].map((c) => c.waitFor(is('say', { text: 'still here' }), 'say still here')));
    for (const c of [...clients, srv]) expect(c.events.filter((e) => e.event === 'failover'), c.id).toEqual([]);
    expect(c1.events.filter((e) => e.event === 'joined').map((e) => e['host'])).toEqual(['srv']);
  });

  it('a dedicated channel server (apps/channel-server) is SIGKILLed: its three clients move to the standby', async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    const srv = spawnServer('dedicated', net);
    peers.push(srv);
    await srv.waitFor(is('listening', { id: 'dedicated' }), 'server listening', 30_000);
    const clients: PeerProcess[] = [];
    for (const id of ['d1', 'd2', 'd3']) {
      const c = spawnPeer(id, ['chat', '#ops', '--server', 'dedicated', '--json'], net);
      peers.push(c);
      clients.push(c);
      await c.waitFor(is('joined', { host: 'dedicated' }), 'joined on the server', 30_000);
    }
    await Promise.all(clients.map((c) => c.waitFor((e) => e.event === 'standby' && e['standby'] !== 'dedicated', 'a standby')));
    const standby = String(clients[2]?.events.filter((e) => e.event === 'standby').at(-1)?.['standby']);
    (clients[0] as PeerProcess).post('kept');
    await Promise.all(clients.map((c) => c.waitFor(is('say', { text: 'kept' }), 'say kept')));
    srv.proc.kill('SIGKILL');
    await Promise.all(clients.map((c) => c.waitFor(is('failover', { host: standby, from: 'dedicated' }), 'failover')));
    (clients[1] as PeerProcess).post('after');
    await Promise.all(clients.map((c) => c.waitFor(is('say', { text: 'after' }), 'say after')));
    for (const c of clients) expect(shown(c, 'kept'), c.id).toHaveLength(1);
  });

  it('host and standby both gone: the other members report the channel lost and exit 3', async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    const srv = spawnPeer('srv', ['chat', '#room', '--json'], net);
    peers.push(srv);
    await srv.waitFor(is('joined', { host: 'srv' }), 'srv joined', 30_000);
    // c1 can host (the standby); c2 and c3 cannot.
    const c1 = spawnPeer('c1', ['chat', '#room', '--server', 'srv', '--json'], net);
    peers.push(c1);
    await c1.waitFor(is('standby', { standby: 'c1' }), 'c1 standby', 30_000);
    const others = ['c2', 'c3'].map((id) => spawnPeer(id, ['chat', '#room', '--server', 'srv', '--json', '--no-host'], net));
    peers.push(...others);
    await Promise.all(others.map((c) => c.waitFor(is('standby', { standby: 'c1' }), 'standby c1', 30_000)));
    c1.proc.kill('SIGKILL');
    // The host notices the standby's connection close and names no standby (itself).
    await Promise.all(others.map((c) => c.waitFor(is('standby', { standby: 'srv' }), 'no standby')));
    srv.proc.kill('SIGKILL');
    for (const c of others) {
      expect(await c.exited, c.id).toBe(3);
      expect(c.events.at(-1)).toMatchObject({ event: 'left', reason: 'lost' });
      expect(c.events.some((e) => e.event === 'failover')).toBe(false);
    }
  });
});
