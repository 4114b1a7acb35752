/**
 * One received datagram → peer-table events: the checks every datagram passes before it reaches
 * the table (size, per-source rate, decoding, our own PDUs), each drop counted and logged
 * (docs/protocol.md §3.4; CONTRIBUTING.md §4). Never throws.
 */
import { decodePdu } from '@ims/codec';
import type { SchedulerLike } from 'rxjs';
import type { Datagram } from './datagram-port.js';
import { observeLag } from './local-health.js';
import type { PeerEvent } from './peer-events.js';
import { applyPdu, type PeerTable } from './peer-table.js';
import type { SourceLimiter } from './source-limiter.js';
import type { DiscoveryLog, MutableStats } from './stats.js';

/** What {@link createReceiver} reads and updates. */
export interface ReceiverDeps {
  readonly peerId: string;
  readonly table: PeerTable;
  readonly limiter: SourceLimiter;
  readonly maxDatagramBytes: number;
  readonly scheduler: SchedulerLike;
  readonly stats: MutableStats;
  readonly log: DiscoveryLog;
}

/** The receive step of `discover()`: applies a datagram to the table, or drops and counts it. */
export function createReceiver(deps: ReceiverDeps): (d: Datagram) => PeerEvent[] {
  const { peerId, table, limiter, maxDatagramBytes, scheduler, stats, log } = deps;
  return (d) => {
    // A datagram handled while the liveness check is overdue was queued during our own stall.
    observeLag(table.local, table.config, scheduler.now());
    stats.received += 1;
    if (d.data.byteLength > maxDatagramBytes) {
      stats.oversize += 1;
      log({ level: 'debug', event: 'dropped', reason: 'oversize', from: d.from });
      return [];
    }
    if (!limiter.allow(d.from.address, scheduler.now())) {
      stats.rateLimited += 1;
      return [];
    }
    const decoded = decodePdu(d.data, { maxDatagramBytes });
    if (!decoded.ok) {
      stats.malformed += 1;
      log({ level: 'debug', event: 'dropped', reason: 'malformed', from: d.from, code: decoded.error.code });
      return [];
    }
    if (decoded.warning !== undefined) stats.warnings += 1;
    if (decoded.value.peerId === peerId) {
      stats.own += 1;
      return [];
    }
    stats.accepted += 1;
    return applyPdu(table, decoded.value, d.from, scheduler.now());
  };
}
