import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import type { SchedulerLike } from 'rxjs';
import { encodePdu, type PduOption } from '@ims/codec';
import { discover, type DiscoverOptions, type Discovery } from './discover.js';
import { memoryNetwork, type MemoryNetwork } from './memory-network.js';
import type { PeerEvent } from './peer-events.js';
import type { DiscoveryLogEntry } from './stats.js';

// The attacks of issue 11 on discovery (docs/protocol.md §3.4, §3.7): a datagram cannot override
// what a live peer announced from its own address, and a flood cannot starve established peers.
const I = 1_000;
let scheduler: SchedulerLike;

function virtual(body: (at: (ms: number, fn: () => void) => void, net: MemoryNetwork) => void): void {
  const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
  scheduler = ts;
  ts.run(() => body((ms, fn) => ts.schedule(fn, ms), memoryNetwork({ scheduler: ts })));
}

function peer(net: MemoryNetwork, id: string, address: string, extra: DiscoverOptions = {}) {
  const logs: DiscoveryLogEntry[] = [];
  const d: Discovery = discover(net.port({ address }), { peerId: id, intervalMs: I, scheduler, log: (e) => logs.push(e), ...extra });
  const events: PeerEvent[] = [];
  d.events$.subscribe((e) => events.push(e));
  return { d, events, logs };
}

const about = (events: PeerEvent[], id: string, kind: PeerEvent['kind']) =>
  events.filter((e) => e.kind === kind && ('peerId' in e ? e.peerId : e.kind === 'appeared' ? e.peer.id : '') === id);
const nick = (n: string): PduOption => ({ type: 'CLIENT_NICK', nick: n });
const hosting = (port: number, ...channels: string[]): PduOption[] => [{ type: 'SERVER_OPTION', port }, { type: 'SERVER_CHANNELS', channels }];
const SERVER = { port: 50_001, channels: ['#a'] };

describe('discover(): a datagram cannot override a live peer', () => {
  it('an empty or nick-only PDU naming a host, from any address, closes none of its channels', () => {
    let victim!: ReturnType<typeof peer>;
    virtual((at, net) => {
      victim = peer(net, 'victim', '10.0.0.1');
      const host = peer(net, 'srv', '10.0.0.2', { server: SERVER });
      const elsewhere = net.port({ address: '10.6.6.6' });
      const spoofed = net.port({ address: '10.0.0.2' }); // UDP sources are trivially spoofed
      at(500, () => {
        elsewhere.send(encodePdu({ peerId: 'srv', options: [] }));
        elsewhere.send(encodePdu({ peerId: 'srv', options: [nick('x')] }));
        spoofed.send(encodePdu({ peerId: 'srv', options: [nick('x')] }));
        // Cut short by an unknown option (a codec warning): it may only add.
        spoofed.send(new Uint8Array([...encodePdu({ peerId: 'srv', options: [] }), 0xee, 0x01]));
      });
      at(700, () => expect(victim.d.peer('srv')).toMatchObject({ address: '10.0.0.2', server: { address: '10.0.0.2', port: 50_001 }, channels: ['#a'] }));
      at(3 * I, () => [victim, host].forEach((p) => p.d.close()));
      at(3 * I, () => [elsewhere, spoofed].forEach((p) => p.close()));
    });
    expect(about(victim.events, 'srv', 'channelClosed')).toEqual([]);
    expect(about(victim.events, 'srv', 'serverChanged')).toEqual([]);
    expect(victim.d.stats().addressConflicts).toBe(2);
  });

  it('an honest host that stops hosting is still seen to stop at once (dedicated, and a client with its own host)', () => {
    let victim!: ReturnType<typeof peer>;
    virtual((at, net) => {
      victim = peer(net, 'victim', '10.0.0.1');
      const dedicated = peer(net, 'srv', '10.0.0.2', { server: SERVER });
      const client = peer(net, 'cli', '10.0.0.3', { nick: 'carol', server: { port: 50_002, channels: ['#b'] } });
      at(1_500, () => [dedicated, client].forEach((p) => p.d.setServer(undefined)));
      at(1_600, () => expect(victim.d.snapshot().servers).toEqual([]));
      at(2 * I, () => [victim, dedicated, client].forEach((p) => p.d.close()));
    });
    expect(about(victim.events, 'srv', 'channelClosed').map((e) => e.at)).toEqual([1_500]);
    expect(about(victim.events, 'cli', 'channelClosed').map((e) => e.at)).toEqual([1_500]);
  });

  it("a host's endpoint is not replaced from another address while it is alive; first seen wins until it is disconnected", () => {
    let victim!: ReturnType<typeof peer>;
    virtual((at, net) => {
      victim = peer(net, 'victim', '10.0.0.1', { offenderLogIntervalMs: 10 * I });
      const host = peer(net, 'srv', '10.0.0.2', { server: SERVER });
      const attacker = net.port({ address: '10.6.6.6' });
      for (let t = 100; t < 30 * I; t += 50) at(t, () => attacker.send(encodePdu({ peerId: 'srv', options: hosting(60_000, '#a') })));
      at(20 * I, () => expect(victim.d.peer('srv')?.server).toEqual({ address: '10.0.0.2', port: 50_001 }));
      at(20 * I, () => host.d.close());
      // The real host silent: once discovery shows it disconnected, the other address may take the ID.
      at(30 * I, () => expect(victim.d.peer('srv')?.server).toEqual({ address: '10.6.6.6', port: 60_000 }));
      at(30 * I, () => {
        victim.d.close();
        attacker.close();
      });
    });
    const servers = victim.events.flatMap((e) => (e.kind === 'serverChanged' ? [e.server] : []));
    expect(servers).toEqual([{ address: '10.6.6.6', port: 60_000 }]);
    expect(victim.d.stats().addressConflicts).toBeGreaterThan(300);
    // One warn line per offender per offenderLogIntervalMs, not one per datagram.
    expect(victim.logs.filter((l) => l.event === 'addressConflict')).toHaveLength(3);
  });
});

describe('discover(): a flood cannot starve established peers', () => {
  it('new forged IDs flooded from the honest peers’ own address: the hosts stay alive and listed', () => {
    let victim!: ReturnType<typeof peer>;
    virtual((at, net) => {
      victim = peer(net, 'victim', '10.0.0.1', { intervalMs: 1_500 });
      const hosts = [1, 2, 3].map((i) => peer(net, `srv-${i}`, '127.0.0.1', { intervalMs: 1_500, server: { port: 50_000 + i, channels: [`#c${i}`] } }));
      const flooder = net.port({ address: '127.0.0.1' });
      let n = 0;
      // Hosts announcing every 1.5 s: most of their PDUs fall where the flood has filled a window.
      for (let t = 2 * I; t < 12 * I; t += 1) at(t, () => flooder.send(encodePdu({ peerId: `fake-${n++}`, options: [] })));
      at(12 * I, () => expect(victim.d.snapshot().servers.map((s) => [s.id, s.state, s.channels])).toEqual([
        ['srv-1', 'alive', ['#c1']],
        ['srv-2', 'alive', ['#c2']],
        ['srv-3', 'alive', ['#c3']],
      ]));
      at(12 * I, () => {
        [victim, ...hosts].forEach((p) => p.d.close());
        flooder.close();
      });
    });
    for (const id of ['srv-1', 'srv-2', 'srv-3']) expect(about(victim.events, id, 'suspect')).toEqual([]);
    const stats = victim.d.stats();
    expect(stats.rateLimited).toBeGreaterThan(7_000); // of 10,000
    expect(victim.logs.filter((l) => l.event === 'rateLimited').length).toBeLessThanOrEqual(2);
  });

  it("a flood naming an established peer from its own address keeps it alive while its own PDUs arrive, within its budget", () => {
    let victim!: ReturnType<typeof peer>;
    virtual((at, net) => {
      victim = peer(net, 'victim', '10.0.0.1', { maxPdusPerSecondPerPeer: 20 });
      const host = peer(net, 'srv', '127.0.0.1', { server: SERVER });
      const flooder = net.port({ address: '127.0.0.1' });
      for (let t = 500; t < 10 * I; t += 2) at(t, () => flooder.send(encodePdu({ peerId: 'srv', options: [nick('x')] })));
      at(10 * I, () => host.d.close());
      at(10 * I, () => flooder.close());
      at(20 * I, () => victim.d.close());
    });
    const stats = victim.d.stats();
    // 20 a second read, the rest (the host's own PDUs among them) only kept it alive.
    expect(stats.accepted).toBeLessThanOrEqual(10 * 20 + 2);
    expect(stats.peerRateLimited).toBeGreaterThan(4_000);
    expect(about(victim.events, 'srv', 'suspect').map((e) => e.at)).toEqual([expect.any(Number)]);
    expect((about(victim.events, 'srv', 'suspect')[0]?.at ?? 0) > 10 * I).toBe(true);
  });

  it('a full table refuses new IDs rather than evict peers that keep announcing, however fresh the forged ones are kept', () => {
    let victim!: ReturnType<typeof peer>;
    virtual((at, net) => {
      victim = peer(net, 'victim', '10.0.0.1', { maxPeers: 20 });
      const host = peer(net, 'srv', '127.0.0.1', { server: SERVER });
      const flooder = net.port({ address: '127.0.0.1' });
      let n = 0;
      // 19 forged IDs kept fresher than the host, and 100 new IDs a second.
      for (let t = 3 * I; t < 12 * I; t += 10) {
        at(t, () => {
          for (let i = 0; i < 19; i++) flooder.send(encodePdu({ peerId: `kept-${i}`, options: [] }));
          flooder.send(encodePdu({ peerId: `new-${n++}`, options: [] }));
        });
      }
      at(12 * I, () => {
        [victim, host].forEach((p) => p.d.close());
        flooder.close();
      });
    });
    expect(about(victim.events, 'srv', 'gone')).toEqual([]);
    expect(about(victim.events, 'srv', 'channelClosed')).toEqual([]);
    expect(victim.d.stats().peersRefused).toBeGreaterThan(800);
  });

  it('our own PDUs (looped back, or forged with our ID) are not charged to the address we share', () => {
    let victim!: ReturnType<typeof peer>;
    virtual((at, net) => {
      victim = peer(net, 'victim', '127.0.0.1', { maxPdusPerSecondPerSource: 10 });
      const flooder = net.port({ address: '127.0.0.1' });
      for (let t = 0; t < 5 * I; t += 1) at(t, () => flooder.send(encodePdu({ peerId: 'victim', options: [nick('me?')] })));
      const newcomer = peer(net, 'new', '127.0.0.1', { nick: 'nina', intervalMs: 700 });
      at(5 * I, () => {
        [victim, newcomer].forEach((p) => p.d.close());
        flooder.close();
      });
    });
    expect(about(victim.events, 'new', 'appeared')).toHaveLength(1);
    expect(victim.d.stats().own).toBeGreaterThan(5_000);
    expect(victim.d.stats().rateLimited).toBe(0);
  });

  it('validates the new budgets', () => {
    virtual((_at, net) => {
      for (const bad of [{ maxPdusPerSecondPerPeer: 0 }, { maxPdusPerSecondPerPeer: 1.5 }, { maxPdusPerSecondPerSource: 0 }, { offenderLogIntervalMs: -1 }]) {
        expect(() => discover(net.port(), { scheduler, ...bad })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
      }
    });
  });
});
