/**
 * The secure-mode receive step (docs/protocol.md §3.4): a sealed datagram is opened, then its PDU is
 * decoded and applied like a plain one, with its signer as the only peer ID it may name. Nothing
 * before opening says who sent it, so the budgets differ from plain mode's peek: a source address
 * over its budget is dropped before opening (a flood of replays or garbage costs no crypto beyond
 * its budget), and the datagram is charged after opening: to the signer when it is established at
 * that address (its own budget, as in plain mode), to nobody when it is our own (multicast
 * loopback), else to the source address (new peers, and every datagram that did not open).
 * The price: garbage spoofed from an honest peer's address at more than the source budget keeps
 * that peer's datagrams unopened while it lasts (the sealer verifies the signature before the
 * replay check, about 95 µs a datagram, so opening every replay is no option).
 */
import type { OpenFailure, SecureMode } from '@ims/secure';
import type { Datagram } from './datagram-port.js';
import { chargeThenRead, overSourceBudget, type BudgetDeps } from './charge-budget.js';
import { establishedAt } from './peer-admission.js';
import type { PeerEvent } from './peer-events.js';

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
export interface SealedDeps extends BudgetDeps {
  readonly peerId: string;
  /** Decodes and applies an opened PDU, dropping it as `identityMismatch` unless it names `signer`. */
  readonly decodeAndApply: (d: Datagram, now: number, signer: string) => PeerEvent[];
}

/** Opens one datagram (already size-checked) and applies its PDU, or drops and counts it. Never throws on input. */
export function openSealed(mode: SecureMode, d: Datagram, now: number, deps: SealedDeps): PeerEvent[] {
  const { peerId, table, limiter, stats, warnOnce } = deps;
  const address = d.from.address;
  if (limiter.spent(address, now)) return overSourceBudget(deps, d, now);
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
  // Sealed and signed by the signer: over its own budget, proof enough that it is there.
  const inner: Datagram = { data: opened.pdu, from: d.from };
  return chargeThenRead(deps, inner, now, establishedAt(table, opened.peerId, d.from), () => deps.decodeAndApply(inner, now, opened.peerId));
}
