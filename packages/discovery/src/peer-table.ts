/**
 * The peer table: what every discovered peer announced, and its liveness (docs/protocol.md §4).
 * No I/O and no clock: time comes in as `now` (scheduler ms). The table is updated in place so a
 * PDU costs O(1) on a 10,000-peer table; entries are immutable objects replaced on change, so
 * views handed out never change under the caller.
 */
import type { PeerPdu, ServerMembership } from '@ims/codec';
import { DEFAULT_ANNOUNCE_INTERVAL_MS, DISCONNECT_AFTER_INTERVALS } from '@ims/codec';
import type { Address } from './datagram-port.js';
import { DiscoveryError } from './errors.js';
import type { Endpoint, Invitation, Liveness, PeerEvent, PeerInfo } from './peer-events.js';
import { viewPdu, type PduInvite, type PduView } from './pdu-view.js';
import { NO_CHANNELS, applyChannels, closeAllChannels, expireChannels } from './table-channels.js';

/** Options of a peer table; every limit has a default. */
export interface PeerTableOptions {
  /** The local peer ID: invitations naming it are kept. */
  readonly selfId: string;
  /** Expected interval between two PDUs of a peer, in ms (docs/protocol.md §3). @default 2000 */
  readonly intervalMs?: number;
  /** Lateness tolerated on top of each interval count before a PDU counts as missed. @default intervalMs / 2 */
  readonly graceMs?: number;
  /** Missed intervals in all before `disconnected` (docs/protocol.md §4). @default 3 */
  readonly disconnectAfterIntervals?: number;
  /** Missed intervals in all before the peer is dropped from the table. @default 4 */
  readonly dropAfterIntervals?: number;
  /** Intervals a hosted channel stays listed without being announced (docs/protocol.md §3). @default 3 */
  readonly channelTtlIntervals?: number;
  /** Peers tracked at most; a new peer beyond it evicts the longest-silent one. @default 10000 */
  readonly maxPeers?: number;
  /** Channels listed per server at most; further announced channels are ignored. @default 4096 */
  readonly maxChannelsPerPeer?: number;
  /** Invitations kept at most; the oldest goes first. @default 256 */
  readonly maxInvitations?: number;
  /** How long an invitation stays listed after it was last received, in ms. @default 30 × intervalMs */
  readonly invitationTtlMs?: number;
}

/** Resolved table options: every default filled in. */
export type PeerTableConfig = Required<PeerTableOptions>;

/** Internal peer record: like PeerInfo, with per-channel announcement times. */
export interface PeerEntry extends Omit<PeerInfo, 'channels'> {
  readonly channels: ReadonlyMap<string, number>;
}

/** The table. Map order is least recently heard first, which makes eviction O(1). */
export interface PeerTable {
  readonly config: PeerTableConfig;
  readonly peers: Map<string, PeerEntry>;
  readonly invitations: Map<string, Invitation>;
  /** Peers evicted to stay within maxPeers, and channel names refused beyond maxChannelsPerPeer. */
  readonly counters: { evicted: number; channelsRefused: number };
}

const positive = (name: string, value: number): number => {
  if (!Number.isFinite(value) || value <= 0) throw new DiscoveryError('INVALID_OPTION', `${name} must be a positive number, got ${value}`);
  return value;
};

/** Fill in and validate table options; throws DiscoveryError('INVALID_OPTION'). */
export function resolveTableConfig(options: PeerTableOptions): PeerTableConfig {
  const intervalMs = positive('intervalMs', options.intervalMs ?? DEFAULT_ANNOUNCE_INTERVAL_MS);
  const disconnectAfterIntervals = positive('disconnectAfterIntervals', options.disconnectAfterIntervals ?? DISCONNECT_AFTER_INTERVALS);
  const dropAfterIntervals = positive('dropAfterIntervals', options.dropAfterIntervals ?? disconnectAfterIntervals + 1);
  if (dropAfterIntervals < disconnectAfterIntervals) {
    throw new DiscoveryError('INVALID_OPTION', 'dropAfterIntervals must be at least disconnectAfterIntervals');
  }
  const graceMs = options.graceMs ?? intervalMs / 2;
  if (!(graceMs >= 0)) throw new DiscoveryError('INVALID_OPTION', `graceMs must be >= 0, got ${graceMs}`);
  return {
    selfId: options.selfId,
    intervalMs,
    graceMs,
    disconnectAfterIntervals,
    dropAfterIntervals,
    channelTtlIntervals: positive('channelTtlIntervals', options.channelTtlIntervals ?? DISCONNECT_AFTER_INTERVALS),
    maxPeers: positive('maxPeers', options.maxPeers ?? 10_000),
    maxChannelsPerPeer: positive('maxChannelsPerPeer', options.maxChannelsPerPeer ?? 4_096),
    maxInvitations: positive('maxInvitations', options.maxInvitations ?? 256),
    invitationTtlMs: positive('invitationTtlMs', options.invitationTtlMs ?? 30 * intervalMs),
  };
}

/** An empty table. */
export function createPeerTable(options: PeerTableOptions): PeerTable {
  return { config: resolveTableConfig(options), peers: new Map(), invitations: new Map(), counters: { evicted: 0, channelsRefused: 0 } };
}

/** The public view of an entry. */
export function toPeerInfo(entry: PeerEntry): PeerInfo {
  return { ...entry, channels: [...entry.channels.keys()].sort() };
}

const sameEndpoint = (a: Endpoint | undefined, b: Endpoint | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.address === b.address && a.port === b.port);

const sameMemberships = (a: readonly ServerMembership[], b: readonly ServerMembership[]): boolean =>
  a.length === b.length &&
  a.every((m, i) => m.serverId === b[i]?.serverId && m.channels.length === b[i].channels.length && m.channels.every((c, j) => c === b[i]?.channels[j]));

/**
 * Memberships after a PDU. The codec's split pieces all repeat CLIENT_NICK but only some carry
 * CLIENT_MEMBERSHIP, so a client PDU without it keeps the previous list; ims clients always send
 * the option, empty when they left every channel. A PDU without CLIENT_NICK is no client's.
 */
function membershipsAfter(prev: PeerEntry | undefined, view: PduView): readonly ServerMembership[] {
  if (view.memberships !== undefined) return view.memberships;
  return view.nick === undefined ? [] : (prev?.memberships ?? []);
}

/** Drop the least recently heard peer to make room (Map order). */
function evictOldest(table: PeerTable, now: number, events: PeerEvent[]): void {
  const oldest = table.peers.values().next();
  if (oldest.done === true) return;
  removePeer(table, oldest.value, now, events, 'evicted');
  table.counters.evicted += 1;
}

function removePeer(table: PeerTable, entry: PeerEntry, now: number, events: PeerEvent[], reason: 'silent' | 'evicted'): void {
  table.peers.delete(entry.id);
  closeAllChannels(entry, now, events);
  for (const [key, invitation] of table.invitations) {
    if (invitation.serverId === entry.id) table.invitations.delete(key);
  }
  events.push({ kind: 'gone', at: now, peerId: entry.id, reason });
}

/** Apply one PDU received from `from` at `now`; returns what changed. The caller filters own PDUs. */
export function applyPdu(table: PeerTable, pdu: PeerPdu, from: Address, now: number): PeerEvent[] {
  const events: PeerEvent[] = [];
  const view = viewPdu(pdu);
  const prev = table.peers.get(pdu.peerId);
  if (prev === undefined && table.peers.size >= table.config.maxPeers) evictOldest(table, now, events);
  const server = view.serverPort === undefined ? undefined : { address: from.address, port: view.serverPort };
  const keepServer = prev !== undefined && sameEndpoint(prev.server, server) ? prev.server : server;
  const memberships = membershipsAfter(prev, view);
  const base: PeerEntry = {
    id: pdu.peerId,
    address: from.address,
    nick: view.nick,
    memberships: prev !== undefined && sameMemberships(prev.memberships, memberships) ? prev.memberships : memberships,
    server: keepServer,
    channels: NO_CHANNELS,
    isDedicatedServer: server !== undefined && view.nick === undefined,
    state: 'alive',
    lastSeen: now,
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

/** Liveness after `silence` ms without a PDU; `undefined` means: drop it. */
export function livenessAfter(config: PeerTableConfig, silence: number): Liveness | undefined {
  const { intervalMs, graceMs } = config;
  if (silence > config.dropAfterIntervals * intervalMs + graceMs) return undefined;
  if (silence > config.disconnectAfterIntervals * intervalMs + graceMs) return 'disconnected';
  if (silence > intervalMs + graceMs) return 'maybeDisconnected';
  return 'alive';
}

/** Advance liveness, channel and invitation expiry to `now`; returns what changed. */
export function tick(table: PeerTable, now: number): PeerEvent[] {
  const events: PeerEvent[] = [];
  for (const entry of table.peers.values()) {
    const state = livenessAfter(table.config, now - entry.lastSeen);
    const target = state ?? 'disconnected';
    // A coarse tick may skip a state; report each step so consumers see the §4 sequence.
    if (RANK[entry.state] < 1 && RANK[target] >= 1) events.push({ kind: 'suspect', at: now, peerId: entry.id });
    if (RANK[entry.state] < 2 && RANK[target] >= 2) events.push({ kind: 'disconnected', at: now, peerId: entry.id });
    if (state === undefined) {
      removePeer(table, entry, now, events, 'silent');
      continue;
    }
    const channels = expireChannels(table.config, entry, now, events);
    if (state !== entry.state || channels !== entry.channels) table.peers.set(entry.id, { ...entry, state, channels });
  }
  for (const [key, invitation] of table.invitations) {
    if (now - invitation.receivedAt > table.config.invitationTtlMs) table.invitations.delete(key);
  }
  return events;
}
