import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { observeOn, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { encodePdu } from '@ims/codec';
import type { DatagramPort } from './datagram-port.js';
import { discover, type DiscoverOptions, type Discovery } from './discover.js';
import type { DiscoveryLogEntry, DiscoveryStats } from './stats.js';
import { memoryNetwork, type MemoryNetwork } from './memory-network.js';
import type { PeerEvent } from './peer-events.js';

type Stall = readonly [from: number, to: number];

/**
 * A scheduler for one process whose event loop is blocked during `stalls`: whatever falls due in a
 * stall runs when it ends, in the order it was scheduled (its overdue timers, then the datagrams
 * that queued meanwhile). `discover()` schedules each liveness check anew, so they all go through here.
 */
function starved(ts: TestScheduler, stalls: readonly Stall[]): SchedulerLike {
  const releaseOf = (due: number) => stalls.find(([from, to]) => due >= from && due < to)?.[1];
  const schedule = <T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription => {
    const release = releaseOf(ts.now() + delay);
    return ts.schedule(work, release === undefined ? delay : release - ts.now(), state);
  };
  return { now: () => ts.now(), schedule };
}

/** A port of `net` whose incoming datagrams are handled on `scheduler` (held during its stalls). */
function portOn(net: MemoryNetwork, address: string, scheduler: SchedulerLike): DatagramPort {
  const inner = net.port({ address });
  return { messages$: inner.messages$.pipe(observeOn(scheduler)), send: (b) => inner.send(b), close: () => inner.close() };
}

interface Watched {
  readonly d: Discovery;
  readonly events: PeerEvent[];
  readonly log: DiscoveryLogEntry[];
}

function watch(port: DatagramPort, options: DiscoverOptions): Watched {
  const log: DiscoveryLogEntry[] = [];
  const d = discover(port, { ...options, log: (e) => log.push(e) });
  const events: PeerEvent[] = [];
  d.events$.subscribe((e) => events.push(e));
  return { d, events, log };
}

const about = (events: PeerEvent[], id: string, kind: PeerEvent['kind']) =>
  events.filter((e) => e.kind === kind && (e.kind === 'appeared' ? e.peer.id === id : 'peerId' in e && e.peerId === id)).map((e) => e.at);

/** 4 s stalled out of every 5, from 10 s to 70 s: a loop whose ticks arrive late by seconds for a minute. */
const HOG: readonly Stall[] = Array.from({ length: 12 }, (_, k) => [10_000 + 5_000 * k, 14_000 + 5_000 * k] as const);

interface HogOptions {
  /** Stalls of the observer's loop; `stallTicks: false` holds only its datagrams (a network that holds them). */
  readonly stalls: readonly Stall[];
  readonly stallTicks?: boolean;
  /** Stalls of the member's own loop (a starved sender: its periodic PDU goes out when it gets to run). */
  readonly senderStalls?: readonly Stall[];
  readonly observer?: DiscoverOptions;
}

/**
 * Two healthy peers announcing every second, heard by `observer` built on the given schedulers; the
 * host really stops at 80 s. Returns the observer's events and its stats at 70 s (end of the hog).
 */
function hogRun(o: HogOptions): { observer: Watched; statsAt70: DiscoveryStats | undefined } {
  const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
  let observer!: Watched;
  let statsAt70: DiscoveryStats | undefined;
  ts.run(() => {
    const net = memoryNetwork({ scheduler: ts });
    const held = starved(ts, o.stalls);
    const host = watch(net.port({ address: '10.0.0.1' }), { peerId: 'host', intervalMs: 1_000, scheduler: ts, server: { port: 50_000, channels: ['#a'] } });
    // The member announces by hand, each PDU scheduled anew on its own (maybe starved) loop.
    const memberPort = net.port({ address: '10.0.0.2' });
    const memberLoop = starved(ts, o.senderStalls ?? []);
    const pdu = encodePdu({ peerId: 'member', options: [{ type: 'CLIENT_NICK', nick: 'm' }] });
    let sending = ts.schedule(() => undefined);
    const announce = (): void => {
      memberPort.send(pdu);
      sending = memberLoop.schedule(announce, 1_000);
    };
    announce();
    const scheduler = (o.stallTicks ?? true) ? held : ts;
    observer = watch(portOn(net, '10.0.0.3', held), { peerId: 'observer', nick: 'o', intervalMs: 1_000, ...o.observer, scheduler });
    ts.schedule(() => (statsAt70 = observer.d.stats()), 70_000);
    ts.schedule(() => host.d.close(), 80_000);
    ts.schedule(() => {
      sending.unsubscribe();
      memberPort.close();
      observer.d.close();
    }, 120_000);
  });
  return { observer, statsAt70 };
}

/** The member's loop starved too, while ours runs again (one starved machine, two processes): 5 s without its PDU. */
const SENDER_HOG: readonly Stall[] = [[70_500, 75_000]];

describe('liveness from learned intervals and local health, through discover() in virtual time', () => {
  it('a 15 s announcer (the draft authors\' server) stays alive, and is disconnected 3 of its intervals (+ < 1 s) after it stops', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    let observer!: Watched;
    ts.run(() => {
      const net = memoryNetwork({ scheduler: ts });
      observer = watch(net.port({ address: '10.0.0.3' }), { peerId: 'observer', nick: 'o', scheduler: ts }); // our default 2 s
      const slow = watch(net.port({ address: '10.0.0.1' }), { peerId: 'slow', intervalMs: 15_000, scheduler: ts, server: { port: 50_000, channels: ['#a'] } });
      ts.schedule(() => slow.d.close(), 150_500); // its last PDU: 150 s
      ts.schedule(() => observer.d.close(), 250_000);
    });
    expect(about(observer.events, 'slow', 'disconnected')).toHaveLength(1);
    const [disconnected = 0] = about(observer.events, 'slow', 'disconnected');
    expect(disconnected).toBeGreaterThan(150_000 + 45_000);
    expect(disconnected).toBeLessThanOrEqual(150_000 + 45_000 + 1_000);
    // Suspected once at first contact (before its interval is known), never again while it announced.
    expect(about(observer.events, 'slow', 'suspect').filter((at) => at < 150_000)).toEqual([2_500]);
    expect(about(observer.events, 'slow', 'channelClosed')).toEqual([expect.any(Number)]);
    expect(about(observer.events, 'slow', 'channelClosed')[0]).toBeGreaterThan(150_000 + 45_000);
  });

  it('a minute of a starved loop (ticks late by seconds, PDUs in late bursts) disconnects no peer that kept announcing', () => {
    const { observer, statsAt70 } = hogRun({ stalls: HOG });
    expect(about(observer.events, 'member', 'disconnected')).toEqual([]);
    expect(about(observer.events, 'host', 'disconnected').filter((at) => at < 80_000)).toEqual([]);
    expect(statsAt70?.maxLagMs).toBeGreaterThanOrEqual(3_500);
    expect(statsAt70?.stalledMs).toBeGreaterThanOrEqual(12 * 3_500);
    expect(statsAt70?.healthMultiplier).toBeGreaterThan(2);
    expect(observer.log.map((e) => e.event)).toEqual(['localLag', 'localLagRecovered']);
  });

  it('the same late bursts with an on-time loop (a network that holds datagrams) are a disconnect: the hog above is a real one', () => {
    const { observer, statsAt70 } = hogRun({ stalls: HOG, stallTicks: false });
    expect(about(observer.events, 'member', 'disconnected').length).toBeGreaterThan(0);
    expect(statsAt70?.maxLagMs).toBe(0);
    expect(statsAt70?.healthMultiplier).toBe(1);
  });

  it('when the sender is starved too, while we run, the health multiplier keeps it alive (and is what does)', () => {
    const both = hogRun({ stalls: HOG, senderStalls: SENDER_HOG });
    expect(about(both.observer.events, 'member', 'suspect').length).toBeGreaterThan(0);
    expect(about(both.observer.events, 'member', 'disconnected')).toEqual([]);
    const discountOnly = hogRun({ stalls: HOG, senderStalls: SENDER_HOG, observer: { maxHealthMultiplier: 1 } });
    expect(about(discountOnly.observer.events, 'member', 'disconnected').length).toBeGreaterThan(0);
  });

  it('a peer that really stops after the stall is still detected, once the widening has decayed', () => {
    const { observer } = hogRun({ stalls: HOG, senderStalls: SENDER_HOG });
    const [disconnected = 0] = about(observer.events, 'host', 'disconnected');
    // Its last PDU at 79 or 80 s; 10 s after our last stall the lag (4 s, half-life 5 s) is under one
    // interval, so the quiet-machine threshold holds again: 3.25 s, checked every 250 ms.
    expect(disconnected).toBeGreaterThan(79_000 + 3_250);
    expect(disconnected).toBeLessThanOrEqual(80_000 + 3_500);
    expect(about(observer.events, 'host', 'gone')).toHaveLength(1);
  });
});

/**
 * A host announcing every 150 ms (netsim's interval) whose loop is starved from `starveAt` for 9 s:
 * it runs 10 ms a second, so one PDU a second (netsim's 22-cpu-starved-server). The observer starts
 * listening at `listenAt`, its loop stalled during `stalls` (a start-up or JOIN hiccup).
 */
function starvedHostRun(o: { listenAt: number; stalls: readonly Stall[]; starveAt: number }): PeerEvent[] {
  const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
  let observer!: Watched;
  ts.run(() => {
    const net = memoryNetwork({ scheduler: ts });
    const starvation: Stall[] = Array.from({ length: 9 }, (_, k) => [o.starveAt + 1_000 * k + 10, o.starveAt + 1_000 * (k + 1)] as const);
    const host = watch(net.port({ address: '10.0.0.1' }), { peerId: 'host', intervalMs: 150, scheduler: starved(ts, starvation), server: { port: 50_000, channels: ['#a'] } });
    ts.schedule(() => {
      const held = starved(ts, o.stalls);
      observer = watch(portOn(net, '10.0.0.3', held), { peerId: 'observer', nick: 'o', intervalMs: 150, scheduler: held });
    }, o.listenAt);
    ts.schedule(() => {
      host.d.close();
      observer.d.close();
    }, o.starveAt + 9_000);
  });
  return observer.events;
}

describe('a host starved right after we first heard it (before its interval is learned)', () => {
  it('is disconnected in its first long silence', () => {
    const events = starvedHostRun({ listenAt: 600, stalls: [], starveAt: 1_120 });
    const [disconnected = 0] = about(events, 'host', 'disconnected');
    // Its last on-time PDU at 1050 s; judged on our 150 ms: 525 ms, checked every 37.5 ms.
    expect(disconnected).toBeGreaterThan(1_050 + 525);
    expect(disconnected).toBeLessThan(1_050 + 525 + 50);
  });

  it('is still disconnected in its first long silence when a short stall of ours (a JOIN, a GC) came between its first PDUs', () => {
    // The 60 ms stall holds its 900 ms PDU until 940: a 190 ms step, of which 40 ms we could not run.
    const events = starvedHostRun({ listenAt: 600, stalls: [[880, 940]], starveAt: 1_120 });
    const [disconnected = 0] = about(events, 'host', 'disconnected');
    expect(disconnected).toBeGreaterThan(1_050);
    expect(disconnected).toBeLessThan(2_120); // before its next PDU: the members move in the first silence
  });

  it('a stall of ours that held its only early PDUs is no evidence: the host is taken for a slow announcer (the stated limit)', () => {
    // Heard at 750, then its 900 PDU waited through our 100 ms stall, then 1050: no step we handled
    // on time, so nothing shows it announces like us; the 15 s floor holds (docs/protocol.md §4.1).
    const events = starvedHostRun({ listenAt: 700, stalls: [[900, 1_000]], starveAt: 1_120 });
    expect(about(events, 'host', 'disconnected')).toEqual([]);
    expect(about(events, 'host', 'suspect').length).toBeGreaterThan(0);
  });
});
