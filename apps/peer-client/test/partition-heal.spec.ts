/**
 * A channel split by a partition, healed (docs/protocol.md §5.8): real host services and real
 * member sessions on the in-memory network in virtual time, with a small discovery that shows
 * each side only its own hosts until the heal. The copies converge on the smaller host ID with the
 * union of both histories, each post shown once, and a newcomer sees all of it in time order.
 * Here because only an app may import both @ims/member-session and @ims/host-service.
 */
import { createMember, type LobbyHost, type MemberEvent } from '@ims/channel-core';
import { startHostService, type HostDiscovery, type HostService } from '@ims/host-service';
import { startMemberSession, type MemberSession } from '@ims/member-session';
import { memoryTransport, virtualTime } from '@ims/transport';
import { BehaviorSubject, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';

type DiscoveredPeer = HostDiscovery['peers$'] extends Observable<readonly (infer P)[]> ? P : never;
type Side = 'left' | 'right';

const CHANNEL = '#room';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

interface LanHost {
  readonly id: string;
  readonly side: Side;
  readonly svc: HostService;
  readonly peers$: BehaviorSubject<readonly DiscoveredPeer[]>;
  channels: readonly string[];
}

interface LanMember {
  readonly id: string;
  readonly side: Side;
  readonly session: MemberSession;
  readonly lobby$: BehaviorSubject<readonly LobbyHost[]>;
  readonly events: MemberEvent[];
  shown(): string[];
}

/** Hosts and members on two sides of a partition; announcements reach the other side only once healed. */
class Lan {
  readonly vt = virtualTime();
  readonly net = memoryTransport({ scheduler: this.vt.scheduler });
  readonly hosts: LanHost[] = [];
  readonly members: LanMember[] = [];
  partitioned = true;
  /** The loser's discovery hears the heal first (it yields before the winner heard of it). */
  loserFirst = false;
  private n = 0;

  private sees(a: Side, b: Side): boolean {
    return !this.partitioned || a === b;
  }

  /** Every host's peer table and every member's lobby, as multicast would leave them (1 ms later). */
  publish(): void {
    this.vt.scheduler.schedule(() => {
      for (const h of this.loserFirst ? [...this.hosts].reverse() : this.hosts) {
        const others = this.hosts.filter((o) => o !== h && this.sees(h.side, o.side));
        h.peers$.next(others.map((o) => ({ id: o.id, address: o.svc.endpoint.address, nick: undefined, server: o.svc.endpoint, channels: o.channels, isDedicatedServer: true, state: 'alive' })));
      }
      for (const m of this.members) {
        const visible = this.hosts.filter((o) => this.sees(m.side, o.side));
        m.lobby$.next(visible.map((o) => ({ id: o.id, ...o.svc.endpoint, state: 'alive', channels: o.channels })));
      }
    }, 1);
  }

  async host(id: string, side: Side): Promise<LanHost> {
    const address = `10.0.0.${++this.n}`;
    const peers$ = new BehaviorSubject<readonly DiscoveredPeer[]>([]);
    const box: { self?: LanHost } = {};
    const discovery: HostDiscovery = {
      peers$,
      setServer: (s) => {
        if (box.self) box.self.channels = s?.channels ?? [];
        this.publish();
      },
      invite: () => undefined,
    };
    const svc = await startHostService({ peerId: id, transport: this.net.at(address), scheduler: this.vt.scheduler, listen: { address }, discovery });
    stops.push(() => this.vt.until(svc.stop()));
    const self: LanHost = { id, side, svc, peers$, channels: [] };
    box.self = self;
    this.hosts.push(self);
    this.publish();
    return self;
  }

  async member(id: string, side: Side, on: LanHost): Promise<LanMember> {
    const lobby$ = new BehaviorSubject<readonly LobbyHost[]>([]);
    const session = startMemberSession({
      selfId: id,
      channel: CHANNEL,
      target: { peerId: on.id, ...on.svc.endpoint },
      createMember: () => createMember({ selfId: id, channel: CHANNEL }),
      hosts$: lobby$,
      transport: this.net.at(`10.0.1.${++this.n}`),
      scheduler: this.vt.scheduler,
    });
    const events: MemberEvent[] = [];
    session.events$.subscribe((e) => events.push(e));
    stops.push(() => this.vt.until(session.exit()));
    const m: LanMember = { id, side, session, lobby$, events, shown: () => events.flatMap((e) => (e.event === 'say' || e.event === 'history' ? [e.text] : [])) };
    this.members.push(m);
    this.publish();
    await this.until(`${id} joined`, () => events.some((e) => e.event === 'joined'));
    return m;
  }

  /** `m` posts `text`, and virtual time runs until `m` saw it. */
  async post(m: LanMember, text: string): Promise<void> {
    m.session.post(text);
    await this.until(`${text} shown`, () => m.shown().includes(text));
    await this.vt.advance(100);
  }

  async until(what: string, ready: () => boolean, limitMs = 60_000): Promise<void> {
    const deadline = this.vt.now() + limitMs;
    while (!ready()) {
      if (this.vt.now() >= deadline) throw new Error(`${what}: not within ${limitMs} ms of virtual time`);
      await this.vt.advance(10);
    }
  }
}

describe('partition heal (host services and member sessions, memory transport, virtual time)', () => {
  it.each([false, true])('converges on the smaller ID with the union of both histories, each post shown once (loser hears first: %s)', async (loserFirst) => {
    const lan = new Lan();
    lan.loserFirst = loserFirst;
    const h1 = await lan.host('h1', 'left');
    const h2 = await lan.host('h2', 'right');
    const left = await lan.member('left', 'left', h1);
    const right = await lan.member('right', 'right', h2);
    const gone = await lan.member('gone', 'right', h2);
    await lan.post(gone, 'from one who left');
    await lan.vt.until(gone.session.exit());
    lan.members.splice(lan.members.indexOf(gone), 1);
    await lan.post(left, 'left 1');
    await lan.post(right, 'right 1');
    await lan.post(left, 'left 2');
    await lan.post(right, 'right 2');
    expect(h1.svc.snapshot().channels[0]?.historyLength).toBe(2);

    lan.partitioned = false;
    lan.publish();
    const all = ['from one who left', 'left 1', 'right 1', 'left 2', 'right 2'];
    await lan.until('both members on h1 with everything', () => {
      const ch = h1.svc.snapshot().channels[0];
      return ch?.members.length === 2 && ch.historyLength === all.length && [left, right].every((m) => all.every((t) => m.shown().includes(t)));
    });
    await lan.until('h2 closed its copy', () => h2.svc.snapshot().channels.length === 0);
    await lan.vt.advance(20_000);
    for (const m of [left, right]) {
      expect([...m.shown()].sort()).toEqual([...all].sort());
      expect(m.session.pendingCount()).toBe(0);
    }
    expect(h1.svc.stats().historyPulls.pulls).toBeGreaterThanOrEqual(1);

    const late = await lan.member('late', 'left', h1);
    expect(late.events.flatMap((e) => (e.event === 'history' ? [e.text] : []))).toEqual(all);
  });
});
