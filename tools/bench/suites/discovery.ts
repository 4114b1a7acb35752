/**
 * Discovery benchmark: PDUs applied per second to a peer table holding 10,000 peers, and heap bytes
 * per tracked peer, each next to a bare Map-update baseline measured in the same run. Rounds
 * alternate table and baseline and keep each side's best, so load from other processes hurts both.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decodePdu, encodePdu, type PeerPdu } from '@ims/codec';
import { applyPdu, createPeerTable, tick, type PeerTable } from '@ims/discovery';
import type { BenchSuite } from '../report.js';

const PEERS = 10_000;
const ROUNDS = 5;
const from = { address: '10.0.0.1', port: 55_555 };

/** A client PDU as peers send it: nick and one membership; every 10th peer also hosts. */
function pduOf(i: number): PeerPdu {
  const options: PeerPdu['options'][number][] = [
    { type: 'CLIENT_NICK', nick: `user-${i}` },
    { type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: `host-${i % 50}`, channels: ['#lobby', `#room-${i % 100}`] }] },
  ];
  if (i % 10 === 0) options.push({ type: 'SERVER_OPTION', port: 50_000 + (i % 1000) }, { type: 'SERVER_CHANNELS', channels: [`#room-${i % 100}`] });
  return { peerId: `peer-${i.toString().padStart(5, '0')}`, options };
}

function filledTable(pdus: readonly PeerPdu[]): PeerTable {
  const table = createPeerTable({ selfId: 'bench', maxPeers: PEERS });
  pdus.forEach((p, i) => applyPdu(table, p, from, i));
  return table;
}

/** A table filled from freshly decoded datagrams, so everything it retains is its own. */
function decodedTable(wire: readonly Uint8Array[]): PeerTable {
  const table = createPeerTable({ selfId: 'bench', maxPeers: PEERS });
  wire.forEach((bytes, i) => {
    const decoded = decodePdu(bytes);
    if (decoded.ok) applyPdu(table, decoded.value, { address: `10.0.${i >> 8}.${i & 255}`, port: 55_555 }, i);
  });
  return table;
}

/** A garbage collector: exposed on demand, so heap figures measure live data only. */
function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function heapPerItem(gc: () => void, build: () => unknown, items: number): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = build();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (kept === undefined) throw new Error('unreachable: keeps the data alive across the measure');
  return (after - before) / items;
}

const suite: BenchSuite = {
  name: 'discovery',
  async run(ctx) {
    const pdus = Array.from({ length: PEERS }, (_, i) => pduOf(i));
    const updates = Math.max(10_000, Math.round(500_000 * ctx.scale));
    // Random arrival order, fixed in advance so both sides do the same sequence.
    const order = Uint32Array.from({ length: updates }, (_, i) => (i * 7_919 + 13) % PEERS);

    const table = filledTable(pdus);
    const baseMap = new Map<string, { id: string; address: string; lastSeen: number; nick: string | undefined }>();
    let now = PEERS;
    const runTable = (): number => {
      const t0 = performance.now();
      for (let k = 0; k < updates; k++) {
        const pdu = pdus[order[k] as number] as PeerPdu;
        applyPdu(table, pdu, from, ++now);
        // Liveness check at a realistic ratio: every 500 ms at ~30k PDUs/s is one per 16k PDUs.
        if ((k & 16_383) === 0) tick(table, now);
      }
      return updates / ((performance.now() - t0) / 1_000);
    };
    const runBaseline = (): number => {
      const t0 = performance.now();
      for (let k = 0; k < updates; k++) {
        const pdu = pdus[order[k] as number] as PeerPdu;
        const nick = pdu.options[0]?.type === 'CLIENT_NICK' ? pdu.options[0].nick : undefined;
        baseMap.set(pdu.peerId, { id: pdu.peerId, address: from.address, lastSeen: ++now, nick });
      }
      return updates / ((performance.now() - t0) / 1_000);
    };
    // Decode + apply: what a datagram costs end to end (socket aside).
    const wire = pdus.map((p) => encodePdu(p));
    const runDecodeApply = (): number => {
      const t0 = performance.now();
      for (let k = 0; k < updates; k++) {
        const decoded = decodePdu(wire[order[k] as number] as Uint8Array);
        if (decoded.ok) applyPdu(table, decoded.value, from, ++now);
      }
      return updates / ((performance.now() - t0) / 1_000);
    };

    runTable();
    runBaseline();
    runDecodeApply();
    let best = 0;
    let bestBase = 0;
    let bestDecode = 0;
    for (let r = 0; r < ROUNDS; r++) {
      best = Math.max(best, runTable());
      bestBase = Math.max(bestBase, runBaseline());
      bestDecode = Math.max(bestDecode, runDecodeApply());
      ctx.progress(`apply round ${r + 1}/${ROUNDS}`);
    }
    if (table.peers.size !== PEERS) throw new Error(`table lost peers: ${table.peers.size}`);
    ctx.figure('discovery applyPdu, 10k-peer table', best, 'PDUs/s', bestBase);
    ctx.figure('discovery decodePdu+applyPdu, 10k-peer table', bestDecode, 'PDUs/s', bestBase);

    const gc = gcFunction();
    const perPeer = heapPerItem(gc, () => decodedTable(wire), PEERS);
    // Baseline: the least a table can hold per peer: ID, address, last-seen time and nick, in a Map.
    const perEntry = heapPerItem(
      gc,
      () => new Map(pdus.map((p, i) => [`peer-${String(i).padStart(5, '0')}`, { address: `10.0.${i >> 8}.${i & 255}`, lastSeen: i, nick: `user-${i}` }])),
      PEERS,
    );
    ctx.figure('discovery heap per tracked peer (lower is better)', perPeer, 'bytes', perEntry);
  },
};

export default suite;
