import { describe, expect, it } from 'vitest';
import { encodePdu, type PduOption } from '@ims/codec';
import { chargePeer, establishedAt, peekPeerId } from './peer-admission.js';
import { createOffenderLog } from './offender-log.js';
import { applyPdu, createPeerTable, tick, toPeerInfo } from './peer-table.js';

const from = (address: string) => ({ address, port: 55_555 });
const membership: PduOption = { type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 's', channels: ['#a'] }] };

describe('peer admission (docs/protocol.md §3.4)', () => {
  it('reads the peer ID at the head of a datagram without decoding the rest', () => {
    expect(peekPeerId(encodePdu({ peerId: 'srv-1', options: [{ type: 'CLIENT_NICK', nick: 'x' }] }))).toBe('srv-1');
    expect(peekPeerId(new Uint8Array([0x41, 0x42]))).toBeUndefined(); // no NUL
    expect(peekPeerId(new Uint8Array([0x00]))).toBeUndefined(); // empty ID
    expect(peekPeerId(new Uint8Array([0x41, 0xc3, 0xbc, 0x00]))).toBeUndefined(); // not visible ASCII
    expect(peekPeerId(new Uint8Array(300).fill(0x41))).toBeUndefined(); // too long to be looked for
  });

  it('a peer is established only at the address it was first heard from, until it is disconnected', () => {
    const t = createPeerTable({ selfId: 'me', intervalMs: 1_000, graceMs: 0, assumedMaxIntervalMs: 1_000 });
    applyPdu(t, { peerId: 'p', options: [] }, from('10.0.0.1'), 0);
    expect(establishedAt(t, 'p', from('10.0.0.1'))?.id).toBe('p');
    expect(establishedAt(t, 'p', from('10.6.6.6'))).toBeUndefined();
    expect(establishedAt(t, 'q', from('10.0.0.1'))).toBeUndefined();
    expect(applyPdu(t, { peerId: 'p', options: [{ type: 'CLIENT_NICK', nick: 'evil' }] }, from('10.6.6.6'), 100)).toEqual([]);
    expect(t.counters.addressConflicts).toBe(1);
    for (let now = 250; now <= 3_500; now += 250) tick(t, now);
    expect(t.peers.get('p')?.state).toBe('disconnected');
    expect(establishedAt(t, 'p', from('10.0.0.1'))).toBeUndefined();
    // Disconnected: the ID may be taken from the new address.
    expect(applyPdu(t, { peerId: 'p', options: [{ type: 'CLIENT_NICK', nick: 'moved' }] }, from('10.0.0.9'), 3_600).map((e) => e.kind)).toContain('aliveAgain');
    expect(toPeerInfo(t.peers.get('p') ?? (undefined as never))).toMatchObject({ address: '10.0.0.9', nick: 'moved' });
  });

  it('a PDU cut short adds to the memberships, never replaces or clears them', () => {
    const t = createPeerTable({ selfId: 'me' });
    applyPdu(t, { peerId: 'c', options: [{ type: 'CLIENT_NICK', nick: 'cy' }, membership] }, from('10.0.0.1'), 0);
    const other: PduOption = { type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 's2', channels: ['#b'] }] };
    applyPdu(t, { peerId: 'c', options: [other] }, from('10.0.0.1'), 1_000, true);
    expect(t.peers.get('c')).toMatchObject({ nick: 'cy', memberships: [{ serverId: 's', channels: ['#a'] }, { serverId: 's2', channels: ['#b'] }] });
    applyPdu(t, { peerId: 'c', options: [] }, from('10.0.0.1'), 2_000);
    expect(t.peers.get('c')).toMatchObject({ nick: 'cy' });
    expect(t.peers.get('c')?.memberships).toHaveLength(2);
  });

  it('charges a peer in one-second windows', () => {
    const t = createPeerTable({ selfId: 'me' });
    applyPdu(t, { peerId: 'p', options: [] }, from('10.0.0.1'), 0);
    const entry = t.peers.get('p') ?? (undefined as never);
    expect([0, 1, 2].map(() => chargePeer(entry, 10, 2))).toEqual([true, true, false]);
    expect(chargePeer(entry, 1_010, 2)).toBe(true);
  });

  it('logs an offender once per interval, and remembers a bounded number of them', () => {
    const log = createOffenderLog(1_000, 2);
    expect([log.shouldLog('a', 0), log.shouldLog('a', 500), log.shouldLog('a', 1_000)]).toEqual([true, false, true]);
    log.shouldLog('b', 1_100);
    log.shouldLog('c', 1_200); // 'a' forgotten (bounded memory): logged again
    expect(log.shouldLog('a', 1_300)).toBe(true);
  });
});
