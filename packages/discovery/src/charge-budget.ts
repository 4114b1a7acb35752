/**
 * The budget step every datagram passes before its PDU is read (docs/protocol.md §3.4, and
 * peer-admission.ts): a datagram of an established peer is charged to that peer, any other to its
 * source address. Over its own budget, an established peer's datagram still proves it is there
 * (liveness only, content unread); over the source budget, a datagram is dropped. Both counted,
 * one warn line per address and cause per offender interval. Plain and secure mode alike.
 */
import type { Datagram } from './datagram-port.js';
import { chargePeer, touchPeer } from './peer-admission.js';
import type { PeerEvent } from './peer-events.js';
import type { PeerEntry, PeerTable } from './peer-table.js';
import type { SourceLimiter } from './source-limiter.js';
import type { DiscoveryLogEntry, MutableStats } from './stats.js';

/** What the budget step reads and counts. */
export interface BudgetDeps {
  readonly table: PeerTable;
  readonly limiter: SourceLimiter;
  readonly stats: MutableStats;
  /** Logs `entry` unless `key` (cause and source address) was logged within the offender interval. */
  readonly warnOnce: (key: string, now: number, entry: DiscoveryLogEntry) => void;
}

/** Drops `d` as over its source address's budget (counted, logged once per interval). */
export function overSourceBudget(deps: BudgetDeps, d: Datagram, now: number): PeerEvent[] {
  deps.stats.rateLimited += 1;
  deps.warnOnce(`source\u0000${d.from.address}`, now, { level: 'warn', event: 'rateLimited', reason: 'maxPdusPerSecondPerSource', from: d.from });
  return [];
}

/** Charges `d` to `entry` (an established peer) or else to its source, then `read`s it when within budget. */
export function chargeThenRead(deps: BudgetDeps, d: Datagram, now: number, entry: PeerEntry | undefined, read: () => PeerEvent[]): PeerEvent[] {
  const { table, limiter, stats, warnOnce } = deps;
  if (entry === undefined) return limiter.allow(d.from.address, now) ? read() : overSourceBudget(deps, d, now);
  if (chargePeer(entry, now, table.config.maxPdusPerSecondPerPeer)) return read();
  stats.peerRateLimited += 1;
  // Keyed by address: forged IDs by the thousand from one address still make one line.
  warnOnce(`peer\u0000${d.from.address}`, now, { level: 'warn', event: 'rateLimited', reason: 'maxPdusPerSecondPerPeer', from: d.from, peerId: entry.id });
  return touchPeer(table, entry, now);
}
