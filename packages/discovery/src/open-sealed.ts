/**
 * The secure-mode receive step (docs/protocol.md §3.4): a sealed datagram is opened, then its PDU is
 * decoded and applied like a plain one, with its signer as the only peer ID it may name. Nothing
 * before opening says who sent it, so the budgets differ from plain mode's peek: a source address
 * over its budget is dropped before opening (a flood of replays or garbage costs no crypto beyond
 * its budget), and the datagram is charged after opening: to the signer when it is established at
 * that address (its own budget, as in plain mode), to nobody when it is our own (multicast
 * loopback), else to the source address (new peers, and every datagram that did not open).
 */
import type { OpenFailure, SecureMode } from '@ims/secure';
import type { Datagram } from './datagram-port.js';
import { chargePeer, establishedAt, touchPeer } from './peer-admission.js';
import type { PeerEvent } from './peer-events.js';
import type { PeerTable } from './peer-table.js';
import type { SourceLimiter } from './source-limiter.js';
import type { DiscoveryLogEntry, MutableStats } from './stats.js';

/** The abuse counter of a datagram that did not open. */
export type SealCause = 'unauthenticated' | 'replayed' | 'notAdmitted';

/** The counter a failure to open is counted under: who cannot seal, who repeats, who is refused. */
export function sealCauseOf(failure: OpenFailure): SealCause {
  switch (failure) {
    case 'not-sealed':
    case 'unknown-key':
    case 'forged':
      return 'unauthenticated';
    case 'replayed':
    case 'stale':
      return 'replayed';
    case 'not-admitted':
      return 'notAdmitted';
  }
}

/** What the sealed step shares with the receiver (receive-datagram.ts). */
export interface SealedDeps {
  readonly peerId: string;
  readonly table: PeerTable;
  readonly limiter: SourceLimiter;
  readonly stats: MutableStats;
  /** Logs `entry` unless `key` (cause and source address) was logged within the offender interval. */
  readonly warnOnce: (key: string, now: number, entry: DiscoveryLogEntry) => void;
  /** Decodes and applies an opened PDU, dropping it as `identityMismatch` unless it names `signer`. */
  readonly decodeAndApply: (d: Datagram, now: number, signer: string) => PeerEvent[];
}

/** Opens one datagram (already size-checked) and applies its PDU, or drops and counts it. Never throws on input. */
export function openSealed(mode: SecureMode, d: Datagram, now: number, deps: SealedDeps): PeerEvent[] {
  const { peerId, table, limiter, stats, warnOnce } = deps;
  const address = d.from.address;
  const rateLimited = (): PeerEvent[] => {
    stats.rateLimited += 1;
    warnOnce(`source\u0000${address}`, now, { level: 'warn', event: 'rateLimited', reason: 'maxPdusPerSecondPerSource', from: d.from });
    return [];
  };
  if (limiter.spent(address, now)) return rateLimited();
  const opened = mode.sealer.open(d.data);
  if (!opened.ok) {
    limiter.allow(address, now);
    const cause = sealCauseOf(opened.cause);
    stats[cause] += 1;
    warnOnce(`${cause}\u0000${address}`, now, { level: 'warn', event: 'dropped', reason: cause, from: d.from, code: opened.cause });
    return [];
  }
  // Our own PDUs come back through multicast loopback, each once: opened like any, charged to nobody.
  if (opened.peerId === peerId) {
    stats.own += 1;
    return [];
  }
  const inner: Datagram = { data: opened.pdu, from: d.from };
  const entry = establishedAt(table, opened.peerId, d.from);
  if (entry === undefined) return limiter.allow(address, now) ? deps.decodeAndApply(inner, now, opened.peerId) : rateLimited();
  if (chargePeer(entry, now, table.config.maxPdusPerSecondPerPeer)) return deps.decodeAndApply(inner, now, opened.peerId);
  stats.peerRateLimited += 1;
  warnOnce(`peer\u0000${address}`, now, { level: 'warn', event: 'rateLimited', reason: 'maxPdusPerSecondPerPeer', from: d.from, peerId: entry.id });
  // Sealed and signed by it: proof enough that it is there (liveness only, content unread).
  return touchPeer(table, entry, now);
}
