import { describe, expect, it } from 'vitest';
import type { PduOption, PeerPdu } from '@ims/codec';
import type { PeerEvent } from './peer-events.js';
import { decodePdu, encodePdus } from '@ims/codec';
import { SPLIT_PIECE_WINDOW_MS, applyPdu, createPeerTable, resolveTableConfig, tick, toPeerInfo, type PeerTable } from './peer-table.js';
import { livenessAfter, thresholdsOf } from './liveness.js';
import { createArrivals } from './arrival-window.js';

const I = 1_000;
const from = (address = '10.0.0.1') => ({ address, port: 55_555 });
const pdu = (peerId: string, ...options: PduOption[]): PeerPdu => ({ peerId, options });
const nick = (n: string): PduOption => ({ type: 'CLIENT_NICK', nick: n });
const server = (port: number): PduOption => ({ type: 'SERVER_OPTION', port });
const channels = (...c: string[]): PduOption => ({ type: 'SERVER_CHANNELS', channels: c });
const kinds = (events: PeerEvent[]) => events.map((e) => e.kind);
const table = (extra: Partial<Parameters<typeof createPeerTable>[0]> = {}): PeerTable =>
  createPeerTable({ selfId: 'me', intervalMs: I, graceMs: 0, ...extra });

const entry = (t: PeerTable, id: string) => {
  const e = t.peers.get(id);
  if (e === undefined) throw new Error(`no peer ${id}`);
  return e;
};

/** Tick every quarter interval from `start` to `end`, collecting events with their times. */
function tickUntil(t: PeerTable, start: number, end: number, step = I / 4): PeerEvent[] {
  const out: PeerEvent[] = [];
  for (let now = start; now <= end; now += step) out.push(...tick(t, now));
  return out;
}

/** `id` announces at each of `times` (ms), with liveness checks every `step` in between and up to `end`. */
function announce(t: PeerTable, id: string, times: readonly number[], end: number, step = I / 4): PeerEvent[] {
  const out: PeerEvent[] = [];
  let next = 0;
  for (let now = 0; now <= end; now += step) {
    while (next < times.length && (times[next] as number) <= now) out.push(...applyPdu(t, pdu(id, nick(id)), from(), times[next++] as number));
    out.push(...tick(t, now));
  }
  return out;
}

const every = (intervalMs: number, until: number, start = 0): number[] => Array.from({ length: Math.floor((until - start) / intervalMs) + 1 }, (_, k) => start + k * intervalMs);
const timesOf = (events: PeerEvent[], kind: PeerEvent['kind']) => events.filter((e) => e.kind === kind).map((e) => e.at);

describe('peer table liveness (docs/protocol.md §4)', () => {
  it('learned interval: alive → maybeDisconnected after one of its intervals → disconnected after three → dropped', () => {
    const t = table();
    const events = announce(t, 'a', every(I, 5 * I), 15 * I);
    expect(events.filter((e) => e.kind !== 'appeared').map((e) => [e.kind, e.at])).toEqual([
      ['suspect', 6.25 * I],
      ['disconnected', 8.25 * I],
      ['gone', 9.25 * I],
    ]);
    expect(t.peers.size).toBe(0);
  });

  it('a PDU in maybeDisconnected or disconnected brings the peer back to alive', () => {
    const t = table();
    announce(t, 'a', every(I, 4 * I), 5.5 * I);
    expect(t.peers.get('a')?.state).toBe('maybeDisconnected');
    expect(kinds(applyPdu(t, pdu('a', nick('a')), from(), 5.6 * I))).toEqual(['aliveAgain']);
    tickUntil(t, 5.75 * I, 9 * I);
    expect(t.peers.get('a')?.state).toBe('disconnected');
    expect(kinds(applyPdu(t, pdu('a', nick('a')), from(), 9.1 * I))).toEqual(['aliveAgain']);
    expect(t.peers.get('a')?.state).toBe('alive');
  });

  it('a peer announcing every interval stays alive for minutes', () => {
    const t = table({ graceMs: I / 2 });
    const events: PeerEvent[] = [];
    for (let now = 0; now < 600 * I; now += I) {
      events.push(...applyPdu(t, pdu('a', nick('ann')), from(), now), ...tick(t, now + I / 2));
    }
    expect(kinds(events)).toEqual(['appeared']);
  });

  it('a coarse tick still reports every step', () => {
    const t = table({ assumedMaxIntervalMs: I });
    applyPdu(t, pdu('a'), from(), 0);
    expect(kinds(tick(t, 100 * I))).toEqual(['suspect', 'disconnected', 'gone']);
  });

  it('a 15 s announcer (the draft authors\' server) stays alive across its intervals and is disconnected ~3 of its intervals after it stops', () => {
    const t = createPeerTable({ selfId: 'me' }); // our own defaults: 2 s interval
    const last = 150_000;
    const events = announce(t, 'java', every(15_000, last), last + 60_000);
    // First contact: suspected after our own interval (harmless), never disconnected before its second PDU.
    expect(events.filter((e) => e.at < 15_000).map((e) => e.kind)).toEqual(['appeared', 'suspect']);
    expect(timesOf(events, 'aliveAgain')).toEqual([15_000]);
    expect(timesOf(events, 'suspect')).toHaveLength(2);
    const [disconnected] = timesOf(events, 'disconnected');
    expect(disconnected).toBeGreaterThan(last + 3 * 15_000);
    expect(disconnected).toBeLessThanOrEqual(last + 3 * 15_000 + 1_000);
  });

  it('a 2 s announcer is disconnected within 3 of its intervals + 1 s after it stops, never before', () => {
    const t = createPeerTable({ selfId: 'me' });
    const last = 60_000;
    announce(t, 'fast', every(2_000, last), last);
    expect(entry(t, 'fast').arrivals.median).toBe(2_000);
    const events = tickUntil(t, last, last + 20_000);
    const [disconnected] = timesOf(events, 'disconnected');
    expect(disconnected).toBeGreaterThan(last + 6_000);
    expect(disconnected).toBeLessThanOrEqual(last + 7_000);
  });

  it('change-triggered announcements and split pieces do not shrink the learned interval', () => {
    const t = createPeerTable({ selfId: 'me' });
    const regular = every(2_000, 58_000);
    // Each regular announcement comes in two split pieces, followed by a burst of changes, or one change, or a late one.
    const extras = regular.flatMap((r, k) => [[r + 1, r + 100, r + 200, r + 300], [r + 1, r + 1_300], [r + 1, r + 1_700]][k % 3] ?? []);
    const times = [...regular, ...extras].sort((a, b) => a - b);
    const last = Math.max(...times);
    const before = announce(t, 'chatty', times, 61_750);
    expect(entry(t, 'chatty').arrivals.median).toBe(2_000);
    const events = [...before, ...tickUntil(t, 62_000, 80_000)];
    const [disconnected] = timesOf(events, 'disconnected');
    // Its last PDU (a change) came at 60.3 s: disconnected 3 of its 2 s intervals later, not earlier.
    expect(disconnected).toBeGreaterThan(last + 6_000);
    expect(disconnected).toBeLessThanOrEqual(last + 7_000);
    expect(timesOf(events, 'suspect').filter((at) => at < 60_000)).toEqual([]);
  });

  it('a peer faster than us is learned downwards, but judged at no less than half our interval', () => {
    const t = createPeerTable({ selfId: 'me', intervalMs: 300 });
    const events = announce(t, 'quick', every(150, 60_000), 60_000, 50);
    expect(timesOf(events, 'disconnected')).toEqual([]);
    expect(entry(t, 'quick').arrivals.median).toBe(150);
    const [disconnected] = timesOf(tickUntil(t, 60_050, 70_000, 50), 'disconnected');
    expect(disconnected).toBeGreaterThan(60_000 + 450);
    expect(disconnected).toBeLessThanOrEqual(60_000 + 450 + 1_000);
    // A 150 ms peer heard by a 2 s peer: learned at 1 s at most, so a long stream of changes can never make us impatient.
    const slow = createPeerTable({ selfId: 'me' });
    announce(slow, 'quick', every(150, 60_000), 60_000, 50);
    expect(thresholdsOf(slow.config, entry(slow, 'quick').arrivals).intervalMs).toBe(1_000);
  });

  it('before its interval is learned, a peer is never disconnected before assumedMaxIntervalMs + grace', () => {
    const t = createPeerTable({ selfId: 'me' });
    const events = announce(t, 'new', [0, 100], 30_000);
    expect(timesOf(events, 'suspect')).toEqual([2_500]);
    const [disconnected] = timesOf(events, 'disconnected');
    expect(disconnected).toBeGreaterThan(15_250);
    expect(disconnected).toBeLessThanOrEqual(15_500);
  });

  it('a new peer whose first gap matches our own interval is judged on it at once; a slow one whose first gap was a change is not', () => {
    const likeUs = createPeerTable({ selfId: 'me', intervalMs: 150 });
    const fresh = timesOf(announce(likeUs, 'host', [0, 150], 5_000, 25), 'disconnected');
    expect(fresh).toEqual([150 + 450 + 75 + 25]); // a host frozen right after we joined it
    const slow = createPeerTable({ selfId: 'me' });
    // A 15 s announcer that announced a change 3 s after we first heard it.
    const events = announce(slow, 'java', [0, 3_000, 15_000, 30_000, 45_000, 60_000], 60_000);
    expect(timesOf(events, 'disconnected')).toEqual([]);
    // The stated limit (docs/protocol.md §4.1): a change about one of our intervals after first
    // contact makes it look configured like us: it is disconnected and dropped once, then appears
    // again with its next PDU and is learned from scratch.
    const unlucky = createPeerTable({ selfId: 'me' });
    const limit = announce(unlucky, 'java', [0, 1_900, 15_000, 30_000, 45_000, 60_000], 60_000);
    expect(timesOf(limit, 'disconnected')).toEqual([1_900 + 6_250 + 100]);
    expect(timesOf(limit, 'appeared')).toEqual([0, 15_000]);
  });

  it('a host whose first PDUs jittered by 60 ms (a busy box) is still judged like us; a silence of two of our intervals is not', () => {
    // 0, 150, then 360 (60 ms late), 450: steps of 210 and 90 ms at our 150 ms, then it freezes.
    const jittered = createPeerTable({ selfId: 'me', intervalMs: 150 });
    const [at = 0] = timesOf(announce(jittered, 'host', [0, 150, 360, 450], 5_000, 25), 'disconnected');
    expect(at).toBeGreaterThan(450 + 3 * 210);
    expect(at).toBeLessThan(2_000);
    const slower = createPeerTable({ selfId: 'me', intervalMs: 150 });
    expect(timesOf(announce(slower, 'host', [0, 150, 450, 500], 5_000, 25), 'disconnected')).toEqual([]);
  });

  it('grace delays each threshold by the same amount; jitter widens them by z·σ', () => {
    const config = resolveTableConfig({ selfId: 'me', intervalMs: I, graceMs: 300, minIntervalSamples: 1 });
    const w = createArrivals(16, 0, 0);
    Object.assign(w, { count: 3, median: I, deviation: 0, largest: I });
    const exact = thresholdsOf(config, w);
    expect(livenessAfter(exact, 1.3 * I)).toBe('alive');
    expect(livenessAfter(exact, 1.31 * I)).toBe('maybeDisconnected');
    expect(livenessAfter(exact, 3.31 * I)).toBe('disconnected');
    expect(livenessAfter(exact, 4.31 * I)).toBeUndefined();
    expect(livenessAfter(exact, 3.31 * I, 2)).toBe('maybeDisconnected'); // local health multiplier
    Object.assign(w, { deviation: 100 });
    const noisy = thresholdsOf(config, w);
    expect(noisy.suspectMs).toBeCloseTo(I + config.jitterDeviations * 100);
    expect(noisy.disconnectMs).toBeCloseTo(3 * I + config.jitterDeviations * 100);
    Object.assign(w, { deviation: 1_000 });
    expect(thresholdsOf(config, w).disconnectMs).toBe(4 * I); // the allowance is at most one interval
  });

  it('rejects nonsense options with a typed error', () => {
    const invalid = expect.objectContaining({ code: 'INVALID_OPTION' });
    expect(() => resolveTableConfig({ selfId: 'me', intervalMs: 0 })).toThrow(invalid);
    expect(() => resolveTableConfig({ selfId: 'me', disconnectAfterIntervals: 3, dropAfterIntervals: 2 })).toThrow(invalid);
    for (const bad of [{ intervalWindow: 0 }, { intervalWindow: 2.5 }, { minIntervalSamples: 17 }, { phiThreshold: 0 }, { assumedMaxIntervalMs: -1 }, { lagHalfLifeMs: 0 }, { maxHealthMultiplier: 0.5 }, { graceMs: -1 }]) {
      expect(() => resolveTableConfig({ selfId: 'me', ...bad })).toThrow(invalid);
    }
  });
});

describe('peer table contents', () => {
  it('records nick, address, memberships and reports a nick change', () => {
    const t = table();
    const membership: PduOption = { type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 's1', channels: ['#a', '@secret'] }] };
    applyPdu(t, pdu('a', nick('ann'), membership), from('10.0.0.7'), 0);
    const info = toPeerInfo(entry(t, 'a'));
    expect(info).toMatchObject({ id: 'a', nick: 'ann', address: '10.0.0.7', server: undefined, isDedicatedServer: false });
    expect(info.memberships).toEqual([{ serverId: 's1', channels: ['#a'] }]);
    const events = applyPdu(t, pdu('a', nick('anna'), membership), from('10.0.0.7'), 10);
    expect(events).toEqual([{ kind: 'nickChanged', at: 10, peerId: 'a', nick: 'anna', previous: 'ann' }]);
  });

  it('reports a membership change (and only a change) so the lobby is rebuilt', () => {
    const t = table();
    const member = (...chs: string[]): PduOption => ({ type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 's1', channels: chs }] });
    applyPdu(t, pdu('a', nick('ann'), member('#a')), from(), 0);
    expect(applyPdu(t, pdu('a', nick('ann'), member('#a')), from(), 10)).toEqual([]);
    expect(applyPdu(t, pdu('a', nick('ann'), member('#a', '#b')), from(), 20)).toEqual([
      { kind: 'membershipsChanged', at: 20, peerId: 'a', memberships: [{ serverId: 's1', channels: ['#a', '#b'] }] },
    ]);
  });

  it('a split piece without CLIENT_MEMBERSHIP keeps the memberships; a PDU without nick clears them', () => {
    const t = table();
    const membership: PduOption = { type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 's1', channels: ['#a'] }] };
    applyPdu(t, pdu('a', nick('ann'), server(50_000), membership, channels('#x')), from(), 0);
    applyPdu(t, pdu('a', nick('ann'), server(50_000), channels('#y')), from(), 1);
    expect(t.peers.get('a')?.memberships).toEqual([{ serverId: 's1', channels: ['#a'] }]);
    applyPdu(t, pdu('a', nick('ann'), server(50_000), { type: 'CLIENT_MEMBERSHIP', servers: [] }), from(), 2);
    expect(t.peers.get('a')?.memberships).toEqual([]);
  });

  it('a membership list split over several pieces is kept whole; the next announcement replaces it', () => {
    const t = table();
    const channelsOn = (n: number, from0 = 0) => Array.from({ length: n }, (_, i) => `#channel-number-${from0 + i}`);
    const whole: PeerPdu = pdu('a', nick('ann'), { type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 's1', channels: channelsOn(200) }] });
    // As they go on the wire: one datagram of at most 1,400 bytes each (docs/protocol.md §3.6).
    const pieces = encodePdus(whole).map((d) => {
      const r = decodePdu(d);
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    });
    expect(pieces.length).toBeGreaterThan(1);
    pieces.forEach((p, i) => applyPdu(t, p, from(), 5_000 + i));
    expect(t.peers.get('a')?.memberships.flatMap((m) => m.channels)).toEqual(channelsOn(200));
    // A separate announcement (later than the piece window) is a whole new statement.
    applyPdu(t, pdu('a', nick('ann'), { type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 's1', channels: ['#channel-number-7'] }] }), from(), 5_000 + SPLIT_PIECE_WINDOW_MS + 100);
    expect(t.peers.get('a')?.memberships).toEqual([{ serverId: 's1', channels: ['#channel-number-7'] }]);
  });

  it('a server: endpoint from source address + SERVER_OPTION, dedicated without nick, channels as a union', () => {
    const t = table();
    const first = applyPdu(t, pdu('s', server(50_001), channels('#a', '#b')), from('10.0.0.2'), 0);
    expect(kinds(first)).toEqual(['appeared', 'channelOpened', 'channelOpened']);
    expect(toPeerInfo(entry(t, 's'))).toMatchObject({ server: { address: '10.0.0.2', port: 50_001 }, isDedicatedServer: true, channels: ['#a', '#b'] });
    // Second split piece: adds, never removes.
    expect(kinds(applyPdu(t, pdu('s', server(50_001), channels('#c')), from('10.0.0.2'), 100))).toEqual(['channelOpened']);
    expect(toPeerInfo(entry(t, 's')).channels).toEqual(['#a', '#b', '#c']);
  });

  it('forgets a channel not announced for three intervals', () => {
    const t = table();
    applyPdu(t, pdu('s', server(50_001), channels('#a', '#b')), from(), 0);
    const events: PeerEvent[] = [];
    for (let now = I; now <= 6 * I; now += I) {
      events.push(...applyPdu(t, pdu('s', server(50_001), channels('#a')), from(), now), ...tick(t, now + I / 4));
    }
    expect(events.filter((e) => e.kind === 'channelClosed')).toEqual([{ kind: 'channelClosed', at: 3.25 * I, peerId: 's', channel: '#b' }]);
    expect(toPeerInfo(entry(t, 's')).channels).toEqual(['#a']);
  });

  it('a complete PDU without SERVER_OPTION from its own address means the peer no longer hosts: its channels close at once', () => {
    const t = table();
    // A client (it sends CLIENT_MEMBERSHIP; without ever sending it, its nick would be a server's name, named-server.spec.ts).
    applyPdu(t, pdu('s', nick('sam'), { type: 'CLIENT_MEMBERSHIP', servers: [] }, server(50_001), channels('#a')), from(), 0);
    // A nick alone (a legacy piece, or a forged PDU) says nothing about hosting (docs/protocol.md §3.7).
    expect(applyPdu(t, pdu('s', nick('sam')), from(), 10)).toEqual([]);
    const events = applyPdu(t, pdu('s', nick('sam'), { type: 'CLIENT_MEMBERSHIP', servers: [] }), from(), 200);
    expect(kinds(events)).toEqual(['serverChanged', 'channelClosed']);
    expect(toPeerInfo(entry(t, 's'))).toMatchObject({ server: undefined, channels: [], isDedicatedServer: false });
  });

  it('ignores private channel names from the network', () => {
    const t = table();
    applyPdu(t, pdu('s', server(50_001), channels('@hidden', '#open')), from(), 0);
    expect(toPeerInfo(entry(t, 's')).channels).toEqual(['#open']);
  });

  it('keeps invitations addressed to this peer, reports each once, and forgets them with their server', () => {
    const t = table();
    const invite = (ids: string[]): PduOption => ({ type: 'SERVER_INVITE', channel: '#party', clientIds: ids });
    expect(applyPdu(t, pdu('s', server(50_001), invite(['x', 'me'])), from('10.0.0.3'), 0)).toContainEqual({
      kind: 'invited',
      at: 0,
      invitation: { serverId: 's', channel: '#party', endpoint: { address: '10.0.0.3', port: 50_001 }, receivedAt: 0 },
    });
    // The same invitation repeated for UDP loss is not reported again.
    expect(kinds(applyPdu(t, pdu('s', server(50_001), invite(['me'])), from('10.0.0.3'), 10))).toEqual([]);
    expect(kinds(applyPdu(t, pdu('s2', server(50_002), invite(['someone-else'])), from(), 10))).toEqual(['appeared']);
    expect(t.invitations.size).toBe(1);
    tick(t, 100 * I);
    expect(t.invitations.size).toBe(0);
  });

  it('holds at most maxPeers, evicting the longest-silent first', () => {
    const t = table({ maxPeers: 3 });
    applyPdu(t, pdu('a'), from(), 0);
    applyPdu(t, pdu('b'), from(), 1);
    applyPdu(t, pdu('c'), from(), 2);
    applyPdu(t, pdu('a'), from(), 3); // a is now the most recently heard
    const events = applyPdu(t, pdu('d'), from(), 4);
    expect(events.map((e) => [e.kind, 'peerId' in e ? e.peerId : e.kind === 'appeared' ? e.peer.id : '']).slice(0, 2)).toEqual([
      ['gone', 'b'],
      ['appeared', 'd'],
    ]);
    expect([...t.peers.keys()].sort()).toEqual(['a', 'c', 'd']);
    expect(t.counters.evicted).toBe(1);
  });

  it('caps the channels listed per server', () => {
    const t = table({ maxChannelsPerPeer: 2 });
    applyPdu(t, pdu('s', server(50_001), channels('#a', '#b', '#c')), from(), 0);
    expect(toPeerInfo(entry(t, 's')).channels).toEqual(['#a', '#b']);
    expect(t.counters.channelsRefused).toBe(1);
  });
});

describe('channels listed in only some PDUs (docs/protocol.md §3.7, §7.6)', () => {
  /** PDUs every interval, SERVER_CHANNELS in every `listEvery`-th until `listsUntil`; events of `#a`. */
  function run(listEvery: number, listsUntil: number, end: number): PeerEvent[] {
    const t = table();
    const out: PeerEvent[] = [];
    for (let now = 0; now <= end; now += I / 4) {
      if (now % I === 0) {
        const k = now / I;
        const listed = k % listEvery === 0 && now <= listsUntil;
        out.push(...applyPdu(t, listed ? pdu('s', server(50_000), channels('#a')) : pdu('s', server(50_000)), from(), now));
      }
      out.push(...tick(t, now));
    }
    return out.filter((e) => e.kind === 'channelOpened' || e.kind === 'channelClosed');
  }

  it('a channel listed one PDU of four stays listed, and closes 3 of those gaps after its last list', () => {
    const events = run(4, 40 * I, 80 * I);
    expect(events.map((e) => [e.kind, e.at])).toEqual([
      ['channelOpened', 0],
      // Last listed at 40 s; the gap between two lists is 4 s: closed just after 40 + 12 s.
      ['channelClosed', 52 * I + I / 4],
    ]);
  });

  it('listed in every PDU, it closes 3 intervals after its last list, as before', () => {
    const events = run(1, 20 * I, 40 * I);
    expect(events.map((e) => [e.kind, e.at])).toEqual([
      ['channelOpened', 0],
      ['channelClosed', 23 * I + I / 4],
    ]);
  });
});
