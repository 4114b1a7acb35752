/**
 * Which budget a received datagram is charged to (docs/protocol.md §3.4): a PDU of an established
 * peer (known ID, heard from that same address, not `disconnected`) is charged to that peer's own
 * budget, never to its source address, so a flood naming new or forged IDs from the address of
 * honest peers (UDP sources are trivially spoofed) cannot starve them. Over its own budget, an
 * established peer's datagram still proves it is there (liveness only, no content read). O(1).
 */
import type { Address } from './datagram-port.js';
import type { PeerEvent } from './peer-events.js';
import { recordArrival } from './arrival-window.js';
import type { PeerEntry, PeerTable } from './peer-table.js';

/** A peer's PDU count in the current one-second window (shared, mutable; never handed out). */
export interface PeerBudget {
  start: number;
  count: number;
}

/** A fresh budget whose window starts at `now`, with nothing charged yet. */
export const createBudget = (now: number): PeerBudget => ({ start: now, count: 0 });

/** Longest peer ID looked for before the NUL (longer ones are decoded the slow way, under the source cap). */
const MAX_PEEK = 255;

/**
 * The peer ID at the head of a datagram (docs/protocol.md §3.2: `peerId NUL ...`), read without
 * decoding the rest; undefined when no NUL comes within MAX_PEEK bytes or a byte is not visible ASCII.
 */
export function peekPeerId(data: Uint8Array): string | undefined {
  const end = Math.min(data.length, MAX_PEEK + 1);
  let id = '';
  for (let i = 0; i < end; i++) {
    const b = data[i] as number;
    if (b === 0) return id === '' ? undefined : id;
    if (b < 0x21 || b > 0x7e) return undefined;
    id += String.fromCharCode(b);
  }
  return undefined;
}

/** The table entry of `peerId` when it is established at `from`: same address, not `disconnected`. */
export function establishedAt(table: PeerTable, peerId: string | undefined, from: Address): PeerEntry | undefined {
  const entry = peerId === undefined ? undefined : table.peers.get(peerId);
  return entry !== undefined && entry.address === from.address && entry.state !== 'disconnected' ? entry : undefined;
}

/** Charge one PDU to the peer's budget of `maxPerSecond`; false when it is over it this second. */
export function chargePeer(entry: PeerEntry, now: number, maxPerSecond: number): boolean {
  const budget = entry.budget;
  if (now - budget.start >= 1_000) {
    budget.start = now;
    budget.count = 0;
  }
  budget.count += 1;
  return budget.count <= maxPerSecond;
}

/** The peer was heard at `now` (its datagram over budget, content unread): liveness only. */
export function touchPeer(table: PeerTable, entry: PeerEntry, now: number): PeerEvent[] {
  const stalled = table.local.stalledMs;
  recordArrival(entry.arrivals, now, stalled, table.config.intervalMs);
  table.peers.delete(entry.id);
  table.peers.set(entry.id, { ...entry, state: 'alive', lastSeen: now, stalledAtSeen: stalled });
  return entry.state === 'alive' ? [] : [{ kind: 'aliveAgain', at: now, peerId: entry.id }];
}
