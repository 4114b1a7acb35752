import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { optionArb, peerIdArb } from '../test/arbitraries.js';
import { fcRuns } from '../test/fc-runs.js';
import { DEFAULT_MAX_DATAGRAM_BYTES, MAX_LIST_COUNT } from './constants.js';
import { decodePdu, encodePdu } from './pdu.js';
import { encodePdus, splitPdu } from './split-pdu.js';
import type { PduOption, PeerPdu } from './types.js';

const scalarsOf = (pdu: PeerPdu): PduOption[] => pdu.options.filter((o) => o.type === 'CLIENT_NICK' || o.type === 'SERVER_OPTION');

/** Every list entry as a comparable key: what must be neither lost nor repeated. */
function entries(pdus: readonly PeerPdu[]): string[] {
  const out: string[] = [];
  for (const p of pdus) {
    for (const o of p.options) {
      if (o.type === 'SERVER_CHANNELS') out.push(...o.channels.map((c) => `ch ${c}`));
      if (o.type === 'SERVER_INVITE') out.push(...o.clientIds.map((id) => `inv ${o.channel} ${id}`));
      if (o.type === 'CLIENT_MEMBERSHIP') for (const s of o.servers) out.push(...s.channels.map((c) => `mem ${s.serverId} ${c}`));
    }
  }
  return out.sort();
}

/** Servers named in CLIENT_MEMBERSHIP, as a set (a server may be repeated when its channels span pieces). */
function serverIds(pdus: readonly PeerPdu[]): string[] {
  const ids = new Set<string>();
  for (const p of pdus) for (const o of p.options) if (o.type === 'CLIENT_MEMBERSHIP') for (const s of o.servers) ids.add(s.serverId);
  return [...ids].sort();
}

function checkPieces(pdu: PeerPdu, pieces: readonly PeerPdu[], max: number): void {
  expect(entries(pieces)).toEqual(entries([pdu]));
  expect(serverIds(pieces)).toEqual(serverIds([pdu]));
  for (const piece of pieces) {
    const bytes = encodePdu(piece);
    expect(bytes.length).toBeLessThanOrEqual(max);
    expect(piece.peerId).toBe(pdu.peerId);
    expect(scalarsOf(piece)).toEqual(scalarsOf(pdu));
    // Each datagram stands alone: it decodes to exactly this piece.
    expect(decodePdu(bytes, { maxDatagramBytes: max })).toEqual({ ok: true, value: piece });
  }
}

const many = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i.toString().padStart(4, '0')}`);

describe('splitPdu', () => {
  it('returns the PDU itself when it fits', () => {
    const pdu: PeerPdu = { peerId: 'p', options: [{ type: 'SERVER_CHANNELS', channels: ['#a'] }] };
    expect(splitPdu(pdu)).toEqual([pdu]);
  });

  it('splits 600 channels over datagrams of at most 1,400 bytes, repeating the port', () => {
    const pdu: PeerPdu = { peerId: 'server-1', options: [{ type: 'SERVER_OPTION', port: 50_000 }, { type: 'SERVER_CHANNELS', channels: many(600, '#channel-') }] };
    const pieces = splitPdu(pdu);
    expect(pieces.length).toBeGreaterThan(1);
    checkPieces(pdu, pieces, DEFAULT_MAX_DATAGRAM_BYTES);
  });

  it('splits a count above 255 even when the bytes would fit', () => {
    const pdu: PeerPdu = { peerId: 'p', options: [{ type: 'SERVER_CHANNELS', channels: many(300, '#') }] };
    const pieces = splitPdu(pdu, { maxDatagramBytes: 65_000 });
    expect(pieces.map((p) => p.options.map((o) => (o.type === 'SERVER_CHANNELS' ? o.channels.length : -1)))).toEqual([[MAX_LIST_COUNT], [300 - MAX_LIST_COUNT]]);
    checkPieces(pdu, pieces, 65_000);
  });

  it('splits CLIENT_MEMBERSHIP and SERVER_INVITE, naming the server / channel again in each piece', () => {
    const pdu: PeerPdu = {
      peerId: 'client-1',
      options: [
        { type: 'CLIENT_NICK', nick: 'Zoë' },
        { type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 'srv-a', channels: many(120, '#a') }, { serverId: 'srv-b', channels: [] }, { serverId: 'srv-c', channels: many(40, '#c') }] },
        { type: 'SERVER_INVITE', channel: '#party', clientIds: many(300, 'guest-') },
      ],
    };
    const pieces = splitPdu(pdu, { maxDatagramBytes: 300 });
    checkPieces(pdu, pieces, 300);
    const emptyServer = pieces.flatMap((p) => p.options.flatMap((o) => (o.type === 'CLIENT_MEMBERSHIP' ? o.servers.filter((s) => s.serverId === 'srv-b') : [])));
    expect(emptyServer).toEqual([{ serverId: 'srv-b', channels: [] }]);
  });

  it('throws INVALID_VALUE when one name cannot fit in any datagram', () => {
    const pdu: PeerPdu = { peerId: 'p', options: [{ type: 'SERVER_CHANNELS', channels: ['#a', `#${'x'.repeat(150)}`] }] };
    expect(() => splitPdu(pdu, { maxDatagramBytes: 100 })).toThrow(expect.objectContaining({ code: 'INVALID_VALUE' }));
  });

  it('with onLeftOut, leaves out and reports each entry that fits in no datagram, and sends the rest', () => {
    const long = `#${'x'.repeat(150)}`;
    const pdu: PeerPdu = {
      peerId: 'p',
      options: [
        { type: 'CLIENT_NICK', nick: 'n' },
        { type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 's1', channels: [long, '#m'] }, { serverId: 's2', channels: [long] }, { serverId: 's3', channels: [] }] },
        { type: 'SERVER_OPTION', port: 50_000 },
        { type: 'SERVER_CHANNELS', channels: ['#a', long, ...many(40, '#c')] },
        { type: 'SERVER_INVITE', channel: '#a', clientIds: ['c1', 'y'.repeat(150)] },
        { type: 'SERVER_INVITE', channel: long, clientIds: ['c2'] },
      ],
    };
    const left: string[] = [];
    const pieces = splitPdu(pdu, { maxDatagramBytes: 100, onLeftOut: (e) => left.push(`${e.option} ${e.value.slice(0, 3)} ${e.bytes > 100}`) });
    expect(left).toEqual(['CLIENT_MEMBERSHIP #xx true', 'CLIENT_MEMBERSHIP #xx true', 'SERVER_CHANNELS #xx true', 'SERVER_INVITE yyy true', 'SERVER_INVITE #xx true']);
    const expected: PeerPdu = {
      peerId: 'p',
      options: [
        { type: 'CLIENT_NICK', nick: 'n' },
        // s2 had only the long name: an empty entry would look like a private membership (§3.5).
        { type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 's1', channels: ['#m'] }, { serverId: 's3', channels: [] }] },
        { type: 'SERVER_OPTION', port: 50_000 },
        { type: 'SERVER_CHANNELS', channels: ['#a', ...many(40, '#c')] },
        { type: 'SERVER_INVITE', channel: '#a', clientIds: ['c1'] },
      ],
    };
    checkPieces(expected, pieces, 100);
  });

  it('with onLeftOut, a PDU whose entries all fit is split exactly as without it', () => {
    const pdu: PeerPdu = { peerId: 'server-1', options: [{ type: 'SERVER_OPTION', port: 50_000 }, { type: 'SERVER_CHANNELS', channels: many(600, '#channel-') }] };
    const left: unknown[] = [];
    expect(splitPdu(pdu, { onLeftOut: (e) => left.push(e) })).toEqual(splitPdu(pdu));
    expect(left).toEqual([]);
  });

  it('throws INVALID_VALUE on a private channel, even when splitting', () => {
    const pdu: PeerPdu = { peerId: 'p', options: [{ type: 'SERVER_CHANNELS', channels: [...many(300, '#'), '@secret'] }] };
    expect(() => encodePdus(pdu)).toThrow(expect.objectContaining({ code: 'INVALID_VALUE' }));
  });

  it('property: no entry lost or repeated, both limits respected, every piece stands alone', () => {
    fc.assert(
      fc.property(
        peerIdArb,
        fc.array(optionArb(300), { maxLength: 4 }),
        fc.integer({ min: 200, max: 1_400 }),
        (peerId, options, max) => {
          // Scalars repeat in every piece; keep the nick short enough that lists still fit.
          const pdu: PeerPdu = { peerId, options: options.map((o) => (o.type === 'CLIENT_NICK' ? { ...o, nick: Array.from(o.nick).slice(0, 10).join('') } : o)) };
          const pieces = splitPdu(pdu, { maxDatagramBytes: max });
          checkPieces(pdu, pieces, max);
          for (const piece of pieces) for (const o of piece.options) {
            if (o.type === 'SERVER_CHANNELS') expect(o.channels.length).toBeLessThanOrEqual(MAX_LIST_COUNT);
            if (o.type === 'SERVER_INVITE') expect(o.clientIds.length).toBeLessThanOrEqual(MAX_LIST_COUNT);
            if (o.type === 'CLIENT_MEMBERSHIP') {
              expect(o.servers.length).toBeLessThanOrEqual(MAX_LIST_COUNT);
              for (const s of o.servers) expect(s.channels.length).toBeLessThanOrEqual(MAX_LIST_COUNT);
            }
          }
        },
      ),
      { numRuns: fcRuns(100) },
    );
  });
});
