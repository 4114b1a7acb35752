/**
 * Hosted-channel bookkeeping of the peer table (docs/protocol.md §3): a server may split its channel
 * list over several PDUs, so receivers keep the union and forget a channel only after it went
 * unannounced for `channelTtlIntervals`. A PDU without SERVER_OPTION means the peer stopped hosting.
 */
import type { PeerEvent } from './peer-events.js';
import type { PeerEntry, PeerTable } from './peer-table.js';

/** Shared empty map: most peers host nothing. Never mutated (typed read-only). */
export const NO_CHANNELS: ReadonlyMap<string, number> = new Map();

/** The channel map after a PDU: union with the previous one while the endpoint stays the same. */
export function applyChannels(
  table: PeerTable,
  prev: PeerEntry | undefined,
  next: PeerEntry,
  announced: readonly string[] | undefined,
  now: number,
  events: PeerEvent[],
): ReadonlyMap<string, number> {
  const server = next.server;
  const kept = prev !== undefined && prev.server !== undefined && prev.server === server ? prev.channels : undefined;
  if (prev !== undefined && kept === undefined && prev.channels.size > 0) closeAllChannels(prev, now, events);
  if (server === undefined) return NO_CHANNELS;
  if (announced === undefined || announced.length === 0) return kept ?? NO_CHANNELS;
  const channels = new Map(kept);
  for (const channel of announced) {
    if (!channels.has(channel)) {
      if (channels.size >= table.config.maxChannelsPerPeer) {
        table.counters.channelsRefused += 1;
        continue;
      }
      events.push({ kind: 'channelOpened', at: now, peerId: next.id, channel, endpoint: server });
    }
    channels.set(channel, now);
  }
  return channels;
}

/** Report every channel of a peer that stops hosting or leaves the table as closed. */
export function closeAllChannels(entry: PeerEntry, now: number, events: PeerEvent[]): void {
  for (const channel of entry.channels.keys()) events.push({ kind: 'channelClosed', at: now, peerId: entry.id, channel });
}

/** Forget channels not announced for `ttl` ms (`channelTtlIntervals` of the peer's interval); returns the same map if none left. */
export function expireChannels(entry: PeerEntry, now: number, ttl: number, events: PeerEvent[]): ReadonlyMap<string, number> {
  let result: Map<string, number> | undefined;
  for (const [channel, announcedAt] of entry.channels) {
    if (now - announcedAt <= ttl) continue;
    result ??= new Map(entry.channels);
    result.delete(channel);
    events.push({ kind: 'channelClosed', at: now, peerId: entry.id, channel });
  }
  return result ?? entry.channels;
}
