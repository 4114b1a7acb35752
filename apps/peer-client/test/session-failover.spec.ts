/**
 * Failover of real member sessions against real host services, on the in-memory network in
 * virtual time (docs/protocol.md §5): a dedicated host `srv` serves #room to two peers that can
 * host (each with its embedded host service, as the peer-client runs them). Here because only an
 * app may import both @ims/member-session and @ims/host-service; test/failover.int.spec.ts does
 * the same with real processes and sockets.
 */
import { createMember, type LobbyHost, type MemberEvent, type MemberInput, type MemberTarget, type Post } from '@ims/channel-core';
import { startHostService, type HostDiscovery, type HostService } from '@ims/host-service';
import { startMemberSession, type MemberSession } from '@ims/member-session';
import { memoryTransport, virtualTime, type MemoryTransport, type VirtualTime } from '@ims/transport';
import { BehaviorSubject, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';

type SessionEvent = MemberEvent & { readonly ts: number };
type DiscoveredPeer = HostDiscovery['peers$'] extends Observable<readonly (infer P)[]> ? P : never;

const CHANNEL = '#room';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A member session on #room, with what it reported. */
interface Follower {
  readonly id: string;
  readonly session: MemberSession;
  readonly events: SessionEvent[];
  readonly inputs: MemberInput[];
  /** What discovery shows this peer (the other hosts). */
  readonly lobby$: BehaviorSubject<readonly LobbyHost[]>;
  /** Texts shown (say and history events), in order. */
  shown(): string[];
}

/** A peer that can host: its embedded host service and its member session. */
interface Peer extends Follower {
  readonly host: HostService;
}

class World {
  readonly vt: VirtualTime = virtualTime();
  readonly net: MemoryTransport = memoryTransport({ scheduler: this.vt.scheduler });
  readonly peers: Peer[] = [];
  /** The dedicated host's discovery: the peer table it picks the standby from. */
  readonly srvPeers$ = new BehaviorSubject<readonly DiscoveredPeer[]>([]);
  srv!: HostService;

  async hostAt(peerId: string, address: string, discovery?: HostDiscovery): Promise<HostService> {
    const svc = await startHostService({ peerId, transport: this.net.at(address), scheduler: this.vt.scheduler, listen: { address }, ...(discovery ? { discovery } : {}) });
    stops.push(() => this.vt.until(svc.stop()));
    return svc;
  }

  async startSrv(): Promise<void> {
    this.srv = await this.hostAt('srv', '10.0.0.1', { peers$: this.srvPeers$, setServer: () => undefined, invite: () => undefined });
  }

  srvLobby(state: LobbyHost['state'] = 'alive'): LobbyHost {
    return { id: 'srv', address: this.srv.endpoint.address, port: this.srv.endpoint.port, state, channels: [CHANNEL] };
  }

  /** Starts peer `id` at `address`: its host, announced to srv's discovery, and its session joined on srv. */
  async join(id: string, address: string): Promise<Peer> {
    const host = await this.hostAt(id, address);
    this.srvPeers$.next([...this.srvPeers$.value, { id, address, nick: id, server: host.endpoint, channels: [], isDedicatedServer: false, state: 'alive' }]);
    // The peers already there see the newcomer's host in their lobby.
    for (const p of this.peers) p.lobby$.next([...p.lobby$.value, { id, ...host.endpoint, state: 'alive', channels: [] }]);
    const peer = { ...(await this.follow(id, address, { peerId: 'srv', ...this.srv.endpoint }, host)), host };
    this.peers.push(peer);
    return peer;
  }

  /** A member session of `id` on `target`, joined; `host` is its embedded host, if it has one. */
  async follow(id: string, address: string, target: MemberTarget, host?: HostService): Promise<Follower> {
    const lobby$ = new BehaviorSubject<readonly LobbyHost[]>([
      this.srvLobby(),
      ...this.peers.map((p) => ({ id: p.id, ...p.host.endpoint, state: 'alive' as const, channels: [] })),
    ]);
    const inputs: MemberInput[] = [];
    const inner = createMember({ selfId: id, channel: CHANNEL, ...(host ? { selfEndpoint: host.endpoint } : {}) });
    const session = startMemberSession({
      selfId: id,
      channel: CHANNEL,
      target,
      createMember: () => ({ ...inner, handle: (i) => (inputs.push(i), inner.handle(i)) }),
      hosts$: lobby$,
      ...(host ? { archive: (channel: string, posts: readonly Post[]) => host.archive(channel, posts) } : {}),
      transport: this.net.at(address),
      scheduler: this.vt.scheduler,
    });
    const events: SessionEvent[] = [];
    session.events$.subscribe((e) => events.push(e));
    stops.push(() => this.vt.until(session.exit()));
    await this.until(`${id} joined`, () => events.some((e) => e.event === 'joined'));
    return {
      id,
      session,
      events,
      inputs,
      lobby$,
      shown: () => events.flatMap((e) => (e.event === 'say' || e.event === 'history' ? [e.text] : [])),
    };
  }

  /** Runs virtual time until `ready()` holds (checked on every millisecond of virtual time). */
  async until(what: string, ready: () => boolean, limitMs = 30_000): Promise<void> {
    const deadline = this.vt.now() + limitMs;
    while (!ready()) {
      if (this.vt.now() >= deadline) throw new Error(`${what}: not within ${limitMs} ms of virtual time`);
      await this.vt.advance(1);
    }
  }

  /** Everyone has `text` shown at least once. */
  allShow(text: string): () => boolean {
    return () => this.peers.every((p) => p.shown().includes(text));
  }
}

/**
 * Two peers on srv, both told c1 is the standby, and a post by a member `x` that left since: no
 * author re-sends it after a failover, so the new host has it only from c1's archive.
 */
async function setUp(): Promise<{ w: World; c1: Peer; c2: Peer }> {
  const w = new World();
  await w.startSrv();
  const c1 = await w.join('c1', '10.0.0.2');
  const c2 = await w.join('c2', '10.0.0.3');
  // The longest-joined member that can host is the standby (docs/architecture.md).
  await w.until('standby c1', () => w.peers.every((p) => p.events.some((e) => e.event === 'standby' && e.standby === 'c1')));
  const x = await w.follow('x', '10.0.0.5', { peerId: 'srv', ...w.srv.endpoint });
  x.session.post('before');
  await w.until('before shown', w.allShow('before'));
  await w.vt.until(x.session.exit());
  return { w, c1, c2 };
}

const count = (p: Follower, text: string): number => p.shown().filter((t) => t === text).length;

describe('member sessions failing over between real host services (memory transport, virtual time)', () => {
  it('host killed: reconnect once, refused, fail over to the standby; history intact, nothing lost or doubled', async () => {
    const { w, c1, c2 } = await setUp();
    const mark = c2.inputs.length;
    // A post whose SAY is still in the outbox when the host dies, and one made during the failover.
    c2.session.post('just before the kill');
    w.net.kill(w.srv.endpoint.address, w.srv.endpoint.port);
    c1.session.post('during the failover');
    await w.until('failover to c1', () => w.peers.every((p) => p.events.some((e) => e.event === 'failover' && e.host === 'c1' && e.from === 'srv' && e.reason === 'closed')));
    // Fast path: one reconnect to srv's endpoint, refused, then the standby's endpoint.
    expect(c2.inputs.slice(mark).map((i) => i.kind).filter((k) => k !== 'post')).toEqual(expect.arrayContaining(['closed', 'connect-failed', 'connected']));
    expect(c2.inputs.slice(mark).find((i) => i.kind === 'connect-failed')).toEqual({ kind: 'connect-failed', refused: true });
    expect(c2.inputs.slice(mark).filter((i) => i.kind === 'connect-failed')).toHaveLength(1);
    c2.session.post('marker');
    await w.until('marker shown', w.allShow('marker'));
    for (const p of [c1, c2]) {
      for (const text of ['before', 'just before the kill', 'during the failover', 'marker']) expect(count(p, text), `${p.id}: ${text}`).toBe(1);
      expect(p.session.pendingCount()).toBe(0);
    }
    // History intact on the new host: a newcomer gets every post once, in order.
    const late = await w.follow('late', '10.0.0.4', { peerId: 'c1', ...c1.host.endpoint });
    expect(late.events.filter((e) => e.event === 'history').map((e) => (e.event === 'history' ? e.text : ''))).toEqual(c1.shown());
    expect([...late.shown()].sort()).toEqual(['before', 'during the failover', 'just before the kill', 'marker']);
  });

  it('host frozen: the lobby marks it disconnected and the sessions fail over on the timer path', async () => {
    const { w, c1, c2 } = await setUp();
    // Frozen: it accepts no new connection (dials time out), and discovery stops hearing it.
    w.net.blackhole(w.srv.endpoint.address, w.srv.endpoint.port);
    for (const p of [c1, c2]) p.lobby$.next(p.lobby$.value.map((h) => (h.id === 'srv' ? w.srvLobby('disconnected') : h)));
    c2.session.post('during the freeze');
    await w.until('failover to c1', () => w.peers.every((p) => p.events.some((e) => e.event === 'failover' && e.host === 'c1')));
    expect(w.peers.map((p) => p.events.find((e) => e.event === 'failover'))).toEqual([
      { event: 'failover', from: 'srv', host: 'c1', reason: 'silent', ts: expect.any(Number) as number },
      { event: 'failover', from: 'srv', host: 'c1', reason: 'silent', ts: expect.any(Number) as number },
    ]);
    // No reconnect to the frozen host on the timer path.
    expect(c2.inputs.filter((i) => i.kind === 'connect-failed')).toEqual([]);
    await w.until('the post made during the freeze', w.allShow('during the freeze'));
    for (const p of [c1, c2]) {
      expect(count(p, 'before'), p.id).toBe(1);
      expect(count(p, 'during the freeze'), p.id).toBe(1);
    }
    const late = await w.follow('late', '10.0.0.4', { peerId: 'c1', ...c1.host.endpoint });
    expect(late.events.filter((e) => e.event === 'history').map((e) => (e.event === 'history' ? e.text : ''))).toEqual(['before', 'during the freeze']);
  });
});
