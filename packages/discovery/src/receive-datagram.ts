/**
 * One received datagram → peer-table events: the checks every datagram passes before it reaches
 * the table (size, budgets, decoding, our own PDUs), each drop counted and logged at most once per
 * source address and cause per `offenderLogIntervalMs` (docs/protocol.md §3.4; CONTRIBUTING.md §4).
 * Never throws.
 *
 * Budgets: a datagram whose head names an established peer (peer-admission.ts) is charged to that
 * peer alone; any other (a new ID, one heard elsewhere, garbage) to its source address. So a flood
 * from the address the honest peers share cannot starve them, and a peer over its own budget is
 * still heard (liveness only). O(1) per datagram (bounded size), bounded memory.
 *
 * Secure mode (open-sealed.ts): nothing of a sealed datagram names its sender before it is opened,
 * so a source address over its budget is dropped before opening, and the budget is charged after:
 * to the signer when it is established there, else to the address. A plain peer drops sealed
 * datagrams as `secureIgnored`: a secure network beside it is not garbage.
 */
import { decodePdu } from '@ims/codec';
import { looksSealed, type SecureMode } from '@ims/secure';
import type { SchedulerLike } from 'rxjs';
import type { Address, Datagram } from './datagram-port.js';
import { observeLag } from './local-health.js';
import type { LegacyIds } from './legacy-ids.js';
import type { OffenderLog } from './offender-log.js';
import { openSealed } from './open-sealed.js';
import { chargeThenRead, type BudgetDeps } from './charge-budget.js';
import { establishedAt, peekPeerId } from './peer-admission.js';
import type { PeerEvent } from './peer-events.js';
import { applyPdu, type PeerTable } from './peer-table.js';
import type { SourceLimiter } from './source-limiter.js';
import type { DiscoveryLog, DiscoveryLogEntry, MutableStats } from './stats.js';

/** What {@link createReceiver} reads and updates. */
export interface ReceiverDeps {
  readonly peerId: string;
  readonly table: PeerTable;
  readonly limiter: SourceLimiter;
  readonly maxDatagramBytes: number;
  readonly scheduler: SchedulerLike;
  readonly stats: MutableStats;
  readonly log: DiscoveryLog;
  /** Throttles the warn lines of offenders (rate limits, address conflicts). */
  readonly offenders: OffenderLog;
  /** Names the servers that announce an empty peer ID (docs/protocol.md §7.6). */
  readonly legacyIds: LegacyIds;
  /** Secure mode: every datagram is opened before it is decoded. @default plain mode */
  readonly secure?: SecureMode | undefined;
}

/** The receive step of `discover()`: applies a datagram to the table, or drops and counts it. */
export function createReceiver(deps: ReceiverDeps): (d: Datagram) => PeerEvent[] {
  const { peerId, table, limiter, maxDatagramBytes, scheduler, stats, log, offenders, legacyIds, secure } = deps;
  // The line says how many of its kind it held back since the previous one (docs/protocol.md §9).
  const warnOnce = (key: string, now: number, entry: DiscoveryLogEntry): void => {
    if (offenders.shouldLog(key, now)) log(offenders.held > 0 ? { ...entry, suppressed: offenders.held } : entry);
  };
  /** Decodes and applies a PDU; `signer` (secure mode) is who sealed it, whom its peer ID must name. */
  const decodeAndApply = (d: Datagram, now: number, signer?: string): PeerEvent[] => {
    const decoded = decodePdu(d.data, { maxDatagramBytes, emptyPeerId: true });
    const malformed = (code: string): PeerEvent[] => {
      stats.malformed += 1;
      warnOnce(`malformed\u0000${d.from.address}`, now, { level: 'debug', event: 'dropped', reason: 'malformed', from: d.from, code });
      return [];
    };
    if (!decoded.ok) return malformed(decoded.error.code);
    if (signer !== undefined && decoded.value.peerId !== signer) {
      // A member may only speak for itself: its key is in its peer ID (docs/protocol.md §3.4).
      stats.identityMismatch += 1;
      warnOnce(`identityMismatch\u0000${d.from.address}`, now, { level: 'warn', event: 'dropped', reason: 'identityMismatch', from: d.from, peerId: signer });
      return [];
    }
    let pdu = decoded.value;
    // docs/protocol.md §7.6: a server without a peer ID is named by its endpoint; its PDUs only add.
    const legacy = pdu.peerId === '';
    if (legacy) {
      const id = legacyIds.resolve(pdu, d.from);
      if (id === undefined) return malformed('BAD_NAME');
      pdu = { peerId: id, options: pdu.options };
    }
    const partial = legacy || decoded.warning !== undefined;
    if (partial) stats.warnings += 1;
    if (pdu.peerId === peerId) {
      stats.own += 1;
      return [];
    }
    const conflicts = table.counters.addressConflicts;
    const events = applyPdu(table, pdu, d.from, now, partial);
    if (table.counters.addressConflicts === conflicts) stats.accepted += 1;
    else conflictLogged(d.from, pdu.peerId, now);
    return events;
  };
  const budget: BudgetDeps = { table, limiter, stats, warnOnce };
  const conflictLogged = (from: Address, id: string, now: number): void => {
    const known = table.peers.get(id)?.address;
    warnOnce(`conflict\u0000${from.address}`, now, { level: 'warn', event: 'addressConflict', from, peerId: id, reason: `peer already heard from ${known ?? '?'}` });
  };
  return (d) => {
    const now = scheduler.now();
    // A datagram handled while the liveness check is overdue was queued during our own stall.
    observeLag(table.local, table.config, now);
    stats.received += 1;
    if (d.data.byteLength > maxDatagramBytes) {
      stats.oversize += 1;
      warnOnce(`oversize\u0000${d.from.address}`, now, { level: 'debug', event: 'dropped', reason: 'oversize', from: d.from });
      return [];
    }
    if (secure !== undefined) return openSealed(secure, d, now, { ...budget, peerId, decodeAndApply });
    if (looksSealed(d.data)) {
      stats.secureIgnored += 1;
      warnOnce(`secureIgnored\u0000${d.from.address}`, now, { level: 'info', event: 'dropped', reason: 'secureIgnored', from: d.from });
      return [];
    }
    // An empty peer ID is the Java server's (docs/protocol.md §7.6): charged like its named PDUs.
    const id = d.data[0] === 0 ? legacyIds.known(d.from) : peekPeerId(d.data);
    // Our own PDUs come back through multicast loopback: never charged to the address we share.
    if (id === peerId) {
      stats.own += 1;
      return [];
    }
    return chargeThenRead(budget, d, now, establishedAt(table, id, d.from), () => decodeAndApply(d, now));
  };
}
