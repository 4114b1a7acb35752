/**
 * The peer table: what every discovered peer announced, and its liveness (docs/protocol.md §4).
 * No I/O and no clock: time comes in as `now` (scheduler ms). The table is updated in place so a
 * PDU costs O(1) on a 10,000-peer table; entries are immutable objects replaced on change, so
 * views handed out never change under the caller.
 */
import type { PeerPdu, ServerMembership } from '@ims/codec';
import { createArrivals, recordArrival, recordChannels, type ArrivalWindow } from './arrival-window.js';
import type { Address } from './datagram-port.js';
import { createLocalHealth, decayLag, type LocalHealth } from './local-health.js';
import { livenessAfter, thresholdsOf } from './liveness.js';
import { createBudget, type PeerBudget } from './peer-admission.js';
import type { Endpoint, Invitation, Liveness, PeerEvent, PeerInfo } from './peer-events.js';
import { viewPdu, type PduInvite, type PduView } from './pdu-view.js';
import { NO_CHANNELS, applyChannels, closeAllChannels, expireChannels } from './table-channels.js';
import { resolveTableConfig, type PeerTableConfig, type PeerTableOptions } from './table-config.js';

export { resolveTableConfig, type PeerTableConfig, type PeerTableOptions } from './table-config.js';

/** Internal peer record: like PeerInfo, with per-channel announcement times and what its PDUs taught. */
export interface PeerEntry extends Omit<PeerInfo, 'channels'> {
  readonly channels: ReadonlyMap<string, number>;
  /** It sent CLIENT_MEMBERSHIP at least once: a client, never a named server (sticky). */
  readonly sentMembership: boolean;
  /** Its learned interval (shared, mutable learning state; never handed out). */
  readonly arrivals: ArrivalWindow;
  /** Our stalled-time total when its latest PDU arrived (local-health.ts). */
  readonly stalledAtSeen: number;
  /** Its PDUs this second (peer-admission.ts; shared, mutable; never handed out). */
  readonly budget: PeerBudget;
}

/** The table. Map order is least recently heard first, which makes eviction O(1). */
export interface PeerTable {
  readonly config: PeerTableConfig;
  readonly peers: Map<string, PeerEntry>;
  readonly invitations: Map<string, Invitation>;
  /**
   * Peers evicted to stay within maxPeers (and new ones refused when every tracked peer keeps
   * announcing), channel names refused beyond maxChannelsPerPeer, and PDUs refused because they
   * named a live peer from another address.
   */
  readonly counters: { evicted: number; peersRefused: number; channelsRefused: number; addressConflicts: number };
  /** Our own lag, measured by discover()'s scheduler (local-health.ts); none for a bare table. */
  readonly local: LocalHealth;
}

/** An empty table. */
export function createPeerTable(options: PeerTableOptions): PeerTable {
  const config = resolveTableConfig(options);
  return { config, peers: new Map(), invitations: new Map(), counters: { evicted: 0, peersRefused: 0, channelsRefused: 0, addressConflicts: 0 }, local: createLocalHealth() };
}

/** The public view of an entry. */
export function toPeerInfo(entry: PeerEntry): PeerInfo {
  const { arrivals: _arrivals, stalledAtSeen: _stalled, budget: _budget, sentMembership: _sent, ...info } = entry;
  return { ...info, channels: [...entry.channels.keys()].sort() };
}

const sameEndpoint = (a: Endpoint | undefined, b: Endpoint | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.address === b.address && a.port === b.port);

const sameMemberships = (a: readonly ServerMembership[], b: readonly ServerMembership[]): boolean =>
  a.length === b.length &&
  a.every((m, i) => m.serverId === b[i]?.serverId && m.channels.length === b[i].channels.length && m.channels.every((c, j) => c === b[i]?.channels[j]));

/**
 * ms within which PDUs of one peer count as pieces of one split announcement (docs/protocol.md
 * §3.6): the pieces leave back to back, while separate announcements are at least 100 ms apart
 * (at most 10 a second, §9).
 */
export const SPLIT_PIECE_WINDOW_MS = 50;

/**
 * Memberships after a PDU. The codec's split pieces all repeat CLIENT_NICK but only some carry
 * CLIENT_MEMBERSHIP, so a client PDU without it keeps the previous list; a long list is spread
 * over several pieces, so a non-empty list arriving within SPLIT_PIECE_WINDOW_MS of the previous
 * PDU adds to it, and any other list replaces it. ims clients always send the option, empty when
 * they left every channel (that always replaces). A PDU without CLIENT_NICK is no client's.
 */
function membershipsAfter(prev: PeerEntry | undefined, view: PduView, nick: string | undefined, partial: boolean, now: number): readonly ServerMembership[] {
  const list = view.memberships;
  if (list === undefined) return nick === undefined ? [] : (prev?.memberships ?? []);
  // A list cut short by a codec warning may lack entries: it only adds (docs/protocol.md §3.7).
  if (prev === undefined || (!partial && (list.length === 0 || now - prev.lastSeen > SPLIT_PIECE_WINDOW_MS))) return list;
  return unionMemberships(prev.memberships, list);
}

/** `a` with the servers and channels of `b` added, in first-seen order. */
function unionMemberships(a: readonly ServerMembership[], b: readonly ServerMembership[]): readonly ServerMembership[] {
  const out = new Map<string, string[]>();
  for (const m of [...a, ...b]) {
    const chs = out.get(m.serverId) ?? [];
    for (const c of m.channels) if (!chs.includes(c)) chs.push(c);
    out.set(m.serverId, chs);
  }
  return [...out].map(([serverId, channels]) => ({ serverId, channels }));
}

/**
 * Drop the least recently heard peer to make room (Map order), unless even that one is an
 * established peer (alive, heard more than once): then the newcomer is refused instead, so a flood
 * of new IDs cannot push out peers that keep announcing (docs/protocol.md §3.7). False if refused.
 */
function evictOldest(table: PeerTable, now: number, events: PeerEvent[]): boolean {
  const oldest = table.peers.values().next();
  if (oldest.done === true) return true;
  if (oldest.value.state === 'alive' && oldest.value.arrivals.heard > 1) {
    table.counters.peersRefused += 1;
    return false;
  }
  removePeer(table, oldest.value, now, events, 'evicted');
  table.counters.evicted += 1;
  return true;
}

function removePeer(table: PeerTable, entry: PeerEntry, now: number, events: PeerEvent[], reason: 'silent' | 'evicted'): void {
  table.peers.delete(entry.id);
  closeAllChannels(entry, now, events);
  for (const [key, invitation] of table.invitations) {
    if (invitation.serverId === entry.id) table.invitations.delete(key);
  }
  events.push({ kind: 'gone', at: now, peerId: entry.id, reason });
}

/**
 * Whether a PDU without SERVER_OPTION from the peer's own address ends its hosting (docs/protocol.md
 * §3.7): only a complete ims announcement does, one with CLIENT_MEMBERSHIP (every piece of an ims
 * client carries it, every piece of a host SERVER_OPTION), or the empty PDU of a peer that never
 * announced a nick (all a dedicated ims host says when it stops). A nick alone, or a PDU the codec
 * cut short, erases nothing.
 */
function stopsHosting(prev: PeerEntry, view: PduView, optionCount: number, partial: boolean): boolean {
  return !partial && (view.memberships !== undefined || (optionCount === 0 && prev.nick === undefined));
}

/** The peer's endpoint after a PDU: the known one while the PDU says nothing new about it. */
function serverAfter(prev: PeerEntry | undefined, view: PduView, from: Address, optionCount: number, partial: boolean): Endpoint | undefined {
  if (view.serverPort !== undefined) {
    const server = { address: from.address, port: view.serverPort };
    return prev !== undefined && sameEndpoint(prev.server, server) ? prev.server : server;
  }
  if (prev?.server === undefined || prev.address !== from.address) return undefined;
  return stopsHosting(prev, view, optionCount, partial) ? undefined : prev.server;
}

/**
 * Apply one PDU received from `from` at `now`; returns what changed. The caller filters own PDUs.
 * `partial`: the codec decoded it with a warning (options may be missing), so it only adds. A PDU
 * naming a peer not `disconnected` from another address than the one it was first heard from is
 * refused and counted (`addressConflicts`): first seen wins while alive (docs/protocol.md §3.7).
 */
export function applyPdu(table: PeerTable, pdu: PeerPdu, from: Address, now: number, partial = false): PeerEvent[] {
  const events: PeerEvent[] = [];
  const prev = table.peers.get(pdu.peerId);
  if (prev !== undefined && prev.address !== from.address && prev.state !== 'disconnected') {
    table.counters.addressConflicts += 1;
    return events;
  }
  const view = viewPdu(pdu);
  if (prev === undefined && table.peers.size >= table.config.maxPeers && !evictOldest(table, now, events)) return events;
  const count = pdu.options.length;
  // An empty or cut-short PDU erases nothing the peer announced before.
  const announced = view.nick ?? (partial || count === 0 ? (prev?.nick ?? prev?.name) : undefined);
  const keepServer = serverAfter(prev, view, from, count, partial);
  // docs/protocol.md §3.7: CLIENT_NICK from a host that never sent CLIENT_MEMBERSHIP is a server's name.
  const sentMembership = (prev?.sentMembership ?? false) || view.memberships !== undefined;
  const named = announced !== undefined && !sentMembership && (keepServer !== undefined || prev?.name !== undefined);
  const nick = named ? undefined : announced;
  const memberships = membershipsAfter(prev, view, nick, partial, now);
  const stalled = table.local.stalledMs;
  const arrivals = prev?.arrivals ?? createArrivals(table.config.intervalWindow, now, stalled);
  if (prev !== undefined) recordArrival(arrivals, now, stalled, table.config.intervalMs);
  if (partial) arrivals.foreign = true;
  if (view.channels !== undefined) recordChannels(arrivals, now, SPLIT_PIECE_WINDOW_MS);
  const base: PeerEntry = {
    id: pdu.peerId,
    address: from.address,
    nick,
    memberships: prev !== undefined && sameMemberships(prev.memberships, memberships) ? prev.memberships : memberships,
    server: keepServer,
    channels: NO_CHANNELS,
    isDedicatedServer: keepServer !== undefined && nick === undefined,
    name: named ? announced : undefined,
    sentMembership,
    state: 'alive',
    lastSeen: now,
    arrivals,
    stalledAtSeen: stalled,
    budget: prev?.budget ?? createBudget(now),
  };
  const channelEvents: PeerEvent[] = [];
  const channels = applyChannels(table, prev, base, view.channels, now, channelEvents);
  const next: PeerEntry = channels === NO_CHANNELS ? base : { ...base, channels };
  // Re-insert so Map order stays "least recently heard first".
  table.peers.delete(pdu.peerId);
  table.peers.set(pdu.peerId, next);
  if (prev === undefined) {
    events.push({ kind: 'appeared', at: now, peer: toPeerInfo(next) });
  } else {
    if (prev.state !== 'alive') events.push({ kind: 'aliveAgain', at: now, peerId: next.id });
    if (prev.nick !== next.nick) events.push({ kind: 'nickChanged', at: now, peerId: next.id, nick: next.nick, previous: prev.nick });
    if (!sameEndpoint(prev.server, next.server)) events.push({ kind: 'serverChanged', at: now, peerId: next.id, server: next.server });
    // The lobby is rebuilt on table events only: without this, a standby box watching who is
    // in which channel would never learn of a JOIN or EXIT announced by a client.
    if (prev.memberships !== next.memberships) events.push({ kind: 'membershipsChanged', at: now, peerId: next.id, memberships: next.memberships });
  }
  events.push(...channelEvents);
  applyInvites(table, next, view.invites, now, events);
  return events;
}

function applyInvites(table: PeerTable, entry: PeerEntry, invites: readonly PduInvite[], now: number, events: PeerEvent[]): void {
  if (entry.server === undefined) return; // an invitation without an endpoint to JOIN is useless
  for (const invite of invites) {
    if (!invite.clientIds.includes(table.config.selfId)) continue;
    const key = `${entry.id}\u0000${invite.channel}`;
    const known = table.invitations.get(key);
    const invitation: Invitation = { serverId: entry.id, channel: invite.channel, endpoint: entry.server, receivedAt: now };
    table.invitations.delete(key);
    table.invitations.set(key, invitation);
    // Servers repeat an invitation in the next announcements for UDP loss: report it once.
    if (known === undefined) events.push({ kind: 'invited', at: now, invitation });
    if (table.invitations.size > table.config.maxInvitations) {
      const oldest = table.invitations.keys().next();
      if (oldest.done !== true) table.invitations.delete(oldest.value);
    }
  }
}

const RANK: Record<Liveness, number> = { alive: 0, maybeDisconnected: 1, disconnected: 2 };

/** Advance liveness, channel and invitation expiry to `now`; returns what changed. */
export function tick(table: PeerTable, now: number): PeerEvent[] {
  const events: PeerEvent[] = [];
  const { local, config } = table;
  decayLag(local, config, now);
  for (const entry of table.peers.values()) {
    // Our own stalls since its last PDU are no silence of the peer's (docs/protocol.md §4).
    const stalledSince = local.stalledMs - entry.stalledAtSeen;
    const thresholds = thresholdsOf(config, entry.arrivals);
    const state = livenessAfter(thresholds, now - entry.lastSeen - stalledSince, local.multiplier);
    const target = state ?? 'disconnected';
    // A coarse tick may skip a state; report each step so consumers see the §4 sequence.
    if (RANK[entry.state] < 1 && RANK[target] >= 1) events.push({ kind: 'suspect', at: now, peerId: entry.id });
    if (RANK[entry.state] < 2 && RANK[target] >= 2) events.push({ kind: 'disconnected', at: now, peerId: entry.id });
    if (state === undefined) {
      removePeer(table, entry, now, events, 'silent');
      continue;
    }
    const ttlMs = thresholds.channelTtlMs * local.multiplier + stalledSince;
    const channels = expireChannels(entry, now, ttlMs, events);
    if (state !== entry.state || channels !== entry.channels) table.peers.set(entry.id, { ...entry, state, channels });
  }
  for (const [key, invitation] of table.invitations) {
    if (now - invitation.receivedAt > table.config.invitationTtlMs) table.invitations.delete(key);
  }
  return events;
}
