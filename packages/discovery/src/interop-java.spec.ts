/**
 * The draft authors' Java server as ims's discovery hears it (docs/protocol.md §7.6), in virtual
 * time. The imitation is ours, written from what is known of that server's wire behaviour: it
 * announces every 15 s (a sleeping thread: a few ms late each round); its peer ID is a MAC address,
 * empty on a machine without one; 3 of its 5 kinds of PDU carry a Java array's `toString()` right
 * after the peer ID; one PDU of two carries SERVER_CHANNELS; it listens on TCP 8000 (outside
 * 49152–65535) and starts with `#Gruppe5`.
 */
import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import type { SchedulerLike } from 'rxjs';
import { discover, type Discovery } from './discover.js';
import type { Lobby } from './lobby.js';
import { memoryNetwork, type MemoryNetwork } from './memory-network.js';
import type { PeerEvent } from './peer-events.js';

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
/** `peerId NUL` then the given bytes. */
const pdu = (id: string, ...rest: number[][]): Uint8Array => Uint8Array.from([...ascii(id), 0, ...rest.flat()]);
/** SERVER_OPTION, port 8000 big-endian. */
const PORT_8000 = [0x10, 0x1f, 0x40];
/** SERVER_CHANNELS with the given names. */
const channels = (...names: string[]): number[] => [0x11, names.length, ...names.flatMap((n) => [...ascii(n), 0])];
/** What its three garbage kinds carry where options should be (`byte[].toString()`, no NUL). */
const GARBAGE = ['[B@755324e[B@784c7a5d', '[B@1b6d3586', '[B@4554617c[B@74a14482'].map(ascii);

/** The five kinds of PDU of one Java server, by its peer ID ('' without a MAC address). */
function javaKinds(id: string, names: readonly string[]): Uint8Array[] {
  return [pdu(id, PORT_8000, channels(...names)), pdu(id, PORT_8000), ...GARBAGE.map((g) => pdu(id, g))];
}

interface JavaServer {
  /** Its channels from now on (a JOIN that created one: announced at once, as the draft asks). */
  create(channel: string): void;
  stop(): void;
}

/**
 * Every round (15 s + a few ms): the announcement with SERVER_CHANNELS in even rounds, without in
 * odd ones, then one garbage kind, back to back or `garbageAfterMs` later (from a timer of its
 * own: how its kinds are timed is not known); after a change the same pair at once.
 */
function javaServer(ts: SchedulerLike, net: MemoryNetwork, id: string, firstAt: number, garbageAfterMs = 0): JavaServer {
  const address = '127.0.0.5';
  const port = net.port({ address, port: 55_555 });
  const names = ['#Gruppe5'];
  let round = 0;
  const send = (withChannels: boolean): void => {
    const kinds = javaKinds(id, names);
    port.send(kinds[withChannels ? 0 : 1] as Uint8Array);
    const garbage = kinds[2 + (round % 3)] as Uint8Array;
    if (garbageAfterMs === 0) port.send(garbage);
    else ts.schedule(() => port.send(garbage), garbageAfterMs);
  };
  let timer = ts.schedule(function tick() {
    send(round % 2 === 0);
    round += 1;
    timer = ts.schedule(tick, 15_000 + (round % 4) * 7);
  }, firstAt);
  return {
    create(channel) {
      names.push(channel);
      send(true);
    },
    stop() {
      timer.unsubscribe();
      port.close();
    },
  };
}

interface Run {
  readonly events: PeerEvent[];
  /** The lobby once a second. */
  readonly samples: { at: number; lobby: Lobby }[];
}

/** An ims peer (announcing every `intervalMs`) hearing a Java server for `endMs`; `script` runs at start. */
function hear(intervalMs: number, endMs: number, script: (ts: TestScheduler, net: MemoryNetwork) => JavaServer): Run {
  const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
  const events: PeerEvent[] = [];
  const samples: { at: number; lobby: Lobby }[] = [];
  ts.run(() => {
    const net = memoryNetwork({ scheduler: ts });
    const java = script(ts, net);
    const d: Discovery = discover(net.port({ address: '127.0.0.1', port: 40_001 }), { peerId: 'ims-1', nick: 'ann', intervalMs, scheduler: ts });
    d.events$.subscribe((e) => events.push(e));
    for (let at = 1_000; at < endMs; at += 1_000) ts.schedule(() => samples.push({ at, lobby: d.snapshot() }), at);
    ts.schedule(() => {
      java.stop();
      d.close();
    }, endMs);
  });
  return { events, samples };
}

const of = (events: PeerEvent[], id: string, kind: PeerEvent['kind']): PeerEvent[] =>
  events.filter((e) => e.kind === kind && (e.kind === 'appeared' ? e.peer.id === id : 'peerId' in e && e.peerId === id));

/**
 * Every sample from `from` lists the server at 127.0.0.5:8000 with `names`, alive from its second
 * round (before it, suspected after our own interval: its interval is not known yet, docs/protocol.md §4.1).
 */
function expectListed(run: Run, id: string, from: number, names: readonly string[], secondRound = 18_700): void {
  const later = run.samples.filter((s) => s.at >= from);
  expect(later.length).toBeGreaterThan(0);
  for (const { at, lobby } of later) {
    const server = lobby.servers.find((s) => s.id === id);
    const state = at >= secondRound ? 'alive' : expect.stringMatching(/^(alive|maybeDisconnected)$/);
    expect(server, `at ${at}`).toMatchObject({ endpoint: { address: '127.0.0.5', port: 8_000 }, state, isDedicatedServer: true });
    expect(server?.channels, `at ${at}`).toEqual(names);
  }
}

describe('the Java server (docs/protocol.md §7.6), heard for 10 minutes in virtual time', () => {
  for (const intervalMs of [2_000, 15_000]) {
    for (const id of ['A6C44C67EA45', '']) {
      const named = id === '' ? '127.0.0.5:8000' : id;
      it(`${id === '' ? 'empty peer ID (named by its endpoint)' : 'MAC peer ID'}, our interval ${intervalMs} ms: alive and listed throughout, never closed`, () => {
        const run = hear(intervalMs, 600_000, (ts, net) => javaServer(ts, net, id, 3_700));
        expect(of(run.events, named, 'appeared')).toHaveLength(1);
        for (const kind of ['disconnected', 'gone', 'channelClosed', 'serverChanged'] as const) expect(of(run.events, named, kind), kind).toEqual([]);
        expect(of(run.events, named, 'channelOpened')).toMatchObject([{ channel: '#Gruppe5', endpoint: { address: '127.0.0.5', port: 8_000 } }]);
        expectListed(run, named, 4_000, ['#Gruppe5']);
        // The garbage kinds are not a second peer, nor a client.
        expect(run.samples.at(-1)?.lobby.peers.map((p) => p.id)).toEqual([named]);
      });
    }
  }

  it('its garbage kinds sent half a round after the announcement (another timer): still one peer, alive and listed', () => {
    const run = hear(2_000, 300_000, (ts, net) => javaServer(ts, net, '', 3_700, 7_500));
    for (const kind of ['disconnected', 'gone', 'channelClosed', 'serverChanged'] as const) expect(of(run.events, '127.0.0.5:8000', kind), kind).toEqual([]);
    expectListed(run, '127.0.0.5:8000', 4_000, ['#Gruppe5'], 11_200);
    expect(run.samples.at(-1)?.lobby.peers.map((p) => p.id)).toEqual(['127.0.0.5:8000']);
  });

  it('a channel created just after we first heard it (an announcement at once) does not make it "configured like us"', () => {
    // Heard at 3.7 s, its next PDU 2 s later: an ims peer would be judged on our 2 s from there.
    const run = hear(2_000, 120_000, (ts, net) => {
      const java = javaServer(ts, net, '', 3_700);
      ts.schedule(() => java.create('#neu'), 5_700);
      return java;
    });
    for (const kind of ['disconnected', 'gone', 'channelClosed'] as const) expect(of(run.events, '127.0.0.5:8000', kind), kind).toEqual([]);
    // Its 2 s first gap holds the median under 15 s for a while (suspected at ~32 s), never past disconnected.
    expectListed(run, '127.0.0.5:8000', 6_000, ['#Gruppe5', '#neu'], 50_000);
  });

  it('is disconnected 3 of its intervals (+ < 1 s) after it stops, and dropped with its channel after 4', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    const events: PeerEvent[] = [];
    ts.run(() => {
      const net = memoryNetwork({ scheduler: ts });
      const java = javaServer(ts, net, '', 3_700);
      const d = discover(net.port({ address: '127.0.0.1', port: 40_001 }), { peerId: 'ims-1', nick: 'ann', scheduler: ts });
      d.events$.subscribe((e) => events.push(e));
      ts.schedule(() => java.stop(), 200_000); // its last round: 3.7 + 13 × 15 s (+ ms)
      ts.schedule(() => d.close(), 400_000);
    });
    const [disconnected] = of(events, '127.0.0.5:8000', 'disconnected').map((e) => e.at);
    const lastRound = 3_700 + 13 * 15_000;
    expect(disconnected).toBeGreaterThan(lastRound + 45_000);
    expect(disconnected).toBeLessThanOrEqual(lastRound + 100 + 45_000 + 1_000);
    // Its channel goes with it when it is dropped, one interval later.
    const closed = of(events, '127.0.0.5:8000', 'channelClosed').map((e) => e.at);
    const [gone] = of(events, '127.0.0.5:8000', 'gone').map((e) => e.at);
    expect(closed).toEqual([gone]);
    expect(gone).toBeGreaterThan(lastRound + 60_000);
    expect(gone).toBeLessThanOrEqual(lastRound + 100 + 60_000 + 1_000);
  });
});

describe('budgets (docs/protocol.md §3.4)', () => {
  it('a flood of empty-ID garbage from its address (another UDP port) does not silence it: its PDUs are charged to it', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    const events: PeerEvent[] = [];
    let rateLimited = 0;
    ts.run(() => {
      const net = memoryNetwork({ scheduler: ts });
      const java = javaServer(ts, net, '', 3_700);
      const flooder = net.port({ address: '127.0.0.5', port: 40_000 });
      const junk = pdu('', GARBAGE[0] as number[]);
      // 500 a second (50 every 100 ms) from 60 s to 180 s: over the 200 a second its address may send as a newcomer.
      ts.schedule(function burst() {
        for (let i = 0; i < 50; i++) flooder.send(junk);
        if (ts.now() < 180_000) this.schedule(undefined, 100);
      }, 60_000);
      const d = discover(net.port({ address: '127.0.0.1', port: 40_001 }), { peerId: 'ims-1', scheduler: ts });
      d.events$.subscribe((e) => events.push(e));
      ts.schedule(() => {
        rateLimited = d.stats().rateLimited;
        java.stop();
        flooder.close();
        d.close();
      }, 200_000);
    });
    expect(rateLimited).toBeGreaterThan(30_000);
    for (const kind of ['disconnected', 'channelClosed'] as const) expect(of(events, '127.0.0.5:8000', kind), kind).toEqual([]);
  });
});

describe('PDUs with an empty peer ID that name no server', () => {
  it('a client without a MAC address (empty ID, CLIENT_NICK) is dropped, not filed under a server at its source', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    let lobby: Lobby | undefined;
    let malformed = 0;
    ts.run(() => {
      const net = memoryNetwork({ scheduler: ts });
      const java = javaServer(ts, net, '', 100);
      const client = net.port({ address: '127.0.0.5', port: 55_555 });
      ts.schedule(() => client.send(pdu('', [0x01, ...ascii('bob'), 0])), 1_000);
      // Garbage from another UDP source of that address: no server is known there.
      const other = net.port({ address: '127.0.0.5', port: 40_000 });
      ts.schedule(() => other.send(pdu('', GARBAGE[0] as number[])), 1_000);
      const d = discover(net.port({ address: '127.0.0.1', port: 40_001 }), { peerId: 'ims-1', scheduler: ts });
      ts.schedule(() => {
        lobby = d.snapshot();
        malformed = d.stats().malformed;
        java.stop();
        client.close();
        other.close();
        d.close();
      }, 2_000);
    });
    expect(lobby?.peers.map((p) => ({ id: p.id, nick: p.nick }))).toEqual([{ id: '127.0.0.5:8000', nick: undefined }]);
    expect(malformed).toBe(2);
  });
});
