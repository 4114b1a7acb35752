import { describe, expect, it } from 'vitest';
import { encodePdu } from '@ims/codec';
import { announceSpans, checkNeverSplit, checkNoFailover, checkOneHost, claimsOf } from './one-host.js';
import { logBuilder } from './test-log.js';

const pdu = (peerId: string, t: number, channels: string[] = ['#room']) => ({ t, from: '127.0.0.1', bytes: encodePdu({ peerId, options: [{ type: 'SERVER_OPTION', port: 50_000 }, { type: 'SERVER_CHANNELS', channels }] }) });
const room = new Map([
  ['alice', '#room'],
  ['bob', '#room'],
]);

describe('checkOneHost', () => {
  const log = logBuilder().start('alice', 'bob').joined('alice', 's1').joined('bob', 's1').events;

  it('passes when one peer announces the channel and every member is on it', () => {
    expect(checkOneHost([pdu('s1', 100), pdu('s2', 110, [])], log, room, '#room', 50)).toEqual({ ok: true, problems: [] });
  });

  it('names two announcers, or a member on another host', () => {
    expect(checkOneHost([pdu('s1', 100), pdu('s2', 110)], log, room, '#room', 50).problems).toEqual(['s1, s2 all announce #room']);
    expect(checkOneHost([pdu('s2', 100)], log, room, '#room', 50).problems).toEqual(['alice is joined on s1, but s2 announces #room', 'bob is joined on s1, but s2 announces #room']);
    expect(checkOneHost([pdu('s1', 10)], log, room, '#room', 50).problems).toEqual(['no datagram recorded since 50 ms']);
    expect(checkOneHost([pdu('s1', 100, [])], log, room, '#room', 50).problems).toEqual(['no peer announces #room']);
  });
});

describe('checkNeverSplit', () => {
  it('passes a takeover after the old host exited', () => {
    const log = logBuilder().start('s1').sim('s1', 'kill').events;
    // s1's exit is logged at t = 1; s2 announces from t = 5 on, within s1's last interval.
    const records = [pdu('s1', 0), pdu('s2', 5), pdu('s2', 105)];
    expect(checkNeverSplit([...records], [...log, { t: 1, host: 's1', source: 'netsim', event: 'exit', data: {} }], ['#room'], 100)).toEqual({ ok: true, problems: [] });
  });

  it('passes a host that stopped announcing the channel before the other started', () => {
    expect(checkNeverSplit([pdu('s1', 0), pdu('s1', 50, []), pdu('s2', 60)], [], ['#room'], 100).ok).toBe(true);
  });

  it('finds two live peers announcing the channel within one interval', () => {
    const records = [pdu('s1', 0), pdu('s2', 40), pdu('s1', 100), pdu('s2', 140), pdu('s1', 400)];
    expect(checkNeverSplit(records, [], ['#room'], 100).problems).toEqual(['#room: s1 and s2 announced it at once, first at 40 ms (3 announcements overlap)']);
    expect(checkNeverSplit(records, [], ['#other'], 100).ok).toBe(true);
  });
});

describe('announceSpans', () => {
  it('merges a peer\'s claims, a late PDU included, and starts a new span after a gap', () => {
    const records = [pdu('s1', 0), pdu('s1', 100), pdu('s1', 240), pdu('s1', 600), pdu('s2', 650, [])];
    expect(announceSpans(claimsOf(records, [], 100), 100)).toEqual([
      { peer: 's1', channel: '#room', from: 0, to: 340 },
      { peer: 's1', channel: '#room', from: 600, to: 700 },
    ]);
  });
});

describe('checkNoFailover', () => {
  it('passes members that stayed on their first host', () => {
    const b = logBuilder().start('alice').joined('alice', 's1').app('alice', 'left', { reason: 'exit' });
    expect(checkNoFailover(b.events, ['alice'])).toEqual({ ok: true, problems: [] });
  });

  it('names failovers, joins of a second host and lost channels', () => {
    const b = logBuilder().start('alice', 'bob').joined('alice', 's1').joined('bob', 's1');
    b.app('alice', 'failover', { host: 'bob', from: 's1' }).joined('bob', 's2').app('bob', 'left', { reason: 'lost' });
    expect(checkNoFailover(b.events, ['alice', 'bob']).problems).toEqual(['alice failed over from s1 to bob at 4 ms', 'bob joined s2 at 5 ms after s1', 'bob left at 6 ms (lost)']);
  });

  it('counts a restarted client joining again as no failover', () => {
    const b = logBuilder().start('alice').joined('alice', 's1').sim('alice', 'restart').joined('alice', 's2');
    expect(checkNoFailover(b.events, ['alice']).ok).toBe(true);
  });
});
