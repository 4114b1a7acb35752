/**
 * Checks that a channel has one host: at the end (one announcer, every member on it), and at every
 * moment of the run (no two peers' announcements overlap). docs/protocol.md §5: a channel lives on
 * one host; two hosts announcing it is a split.
 */
import { decodePdu } from '@ims/codec';
import type { CheckResult } from './delivery.js';
import { presentClients } from './delivery.js';
import { clientView, type SimEvent } from './log.js';
import type { WireRecord } from './wire.js';

/** Splits listed per check; the rest is counted. */
const MAX_SPLITS = 10;

/** One decoded announcement: `peer` listed these channels in SERVER_CHANNELS at `t`. */
interface Announcement {
  readonly t: number;
  readonly peer: string;
  readonly channels: readonly string[];
}

function announcements(records: readonly WireRecord[]): Announcement[] {
  const out: Announcement[] = [];
  for (const r of records) {
    const d = decodePdu(r.bytes);
    if (!d.ok) continue;
    const channels = d.value.options.flatMap((o) => (o.type === 'SERVER_CHANNELS' ? o.channels : []));
    out.push({ t: r.t, peer: d.value.peerId, channels });
  }
  return out.sort((a, b) => a.t - b.t);
}

/**
 * In the records from `since` (ms) on, exactly one peer announced `channel`, and every present
 * member of the channel is joined on that peer.
 */
export function checkOneHost(records: readonly WireRecord[], log: readonly SimEvent[], channelOf: ReadonlyMap<string, string>, channel: string, since: number): CheckResult {
  const recent = announcements(records.filter((r) => r.t >= since));
  if (recent.length === 0) return { ok: false, problems: [`no datagram recorded since ${since} ms`] };
  const announcers = [...new Set(recent.filter((a) => a.channels.includes(channel)).map((a) => a.peer))].sort();
  if (announcers.length !== 1) return { ok: false, problems: [announcers.length === 0 ? `no peer announces ${channel}` : `${announcers.join(', ')} all announce ${channel}`] };
  const host = announcers[0] as string;
  const members = presentClients(log, channelOf).filter((c) => channelOf.get(c) === channel);
  const problems = members.flatMap((c) => {
    const on = clientView(log, c).host;
    return on === host ? [] : [`${c} is joined on ${String(on)}, but ${host} announces ${channel}`];
  });
  if (members.length === 0) problems.push(`no present member of ${channel}`);
  return { ok: problems.length === 0, problems };
}

/** When each host's processes exited (netsim's `exit` events), sorted. */
function exitTimes(log: readonly SimEvent[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const e of log) if (e.source === 'netsim' && e.event === 'exit') out.set(e.host, [...(out.get(e.host) ?? []), e.t]);
  return out;
}

/** One peer claiming one channel over `[from, to)` ms. */
export interface Claim {
  readonly peer: string;
  readonly channel: string;
  readonly from: number;
  readonly to: number;
}

/**
 * The claims of the run, in time order. An announcement claims its channels from its time until
 * the peer's next PDU, one interval later, or the peer's exit, whichever is first.
 */
export function claimsOf(records: readonly WireRecord[], log: readonly SimEvent[], intervalMs: number): Claim[] {
  const all = announcements(records);
  const exits = exitTimes(log);
  const next = new Map<Announcement, number>();
  const lastByPeer = new Map<string, Announcement>();
  for (const a of all) {
    const prev = lastByPeer.get(a.peer);
    if (prev) next.set(prev, a.t);
    lastByPeer.set(a.peer, a);
  }
  return all.flatMap((a) => {
    const exit = exits.get(a.peer)?.find((t) => t >= a.t) ?? Infinity;
    const to = Math.min(a.t + intervalMs, next.get(a) ?? Infinity, exit);
    return a.channels.map((channel) => ({ peer: a.peer, channel, from: a.t, to }));
  });
}

/** Claims of one peer on one channel merged into spans (a late PDU within half an interval joins). */
export function announceSpans(claims: readonly Claim[], intervalMs: number): Claim[] {
  const open = new Map<string, Claim>();
  const out: Claim[] = [];
  for (const c of claims) {
    const key = `${c.peer}\u0000${c.channel}`;
    const cur = open.get(key);
    if (cur && c.from <= cur.to + intervalMs / 2) open.set(key, { ...cur, to: Math.max(cur.to, c.to) });
    else {
      if (cur) out.push(cur);
      open.set(key, c);
    }
  }
  return [...out, ...open.values()].sort((a, b) => a.from - b.from);
}

/**
 * No moment at which two peers claimed one of `channels` (see `claimsOf`): a takeover after a kill
 * is no split, while a standby that takes a channel from a live host is.
 */
export function checkNeverSplit(records: readonly WireRecord[], log: readonly SimEvent[], channels: readonly string[], intervalMs: number): CheckResult {
  const claims = claimsOf(records, log, intervalMs);
  const splits = new Map<string, { first: number; count: number }>();
  for (const channel of channels) {
    const claimedUntil = new Map<string, number>();
    for (const c of claims) {
      if (c.channel !== channel) continue;
      for (const [peer, until] of claimedUntil) {
        if (peer === c.peer || until <= c.from) continue;
        const key = `${channel}: ${[peer, c.peer].sort().join(' and ')}`;
        const s = splits.get(key);
        splits.set(key, s ? { first: s.first, count: s.count + 1 } : { first: c.from, count: 1 });
      }
      claimedUntil.set(c.peer, c.to);
    }
  }
  const problems = [...splits].map(([key, s]) => `${key} announced it at once, first at ${s.first} ms (${s.count} announcements overlap)`);
  return { ok: problems.length === 0, problems: problems.slice(0, MAX_SPLITS) };
}

/** No client reported a failover, joined a second host, or lost its channel during the run. */
export function checkNoFailover(log: readonly SimEvent[], clients: readonly string[]): CheckResult {
  const problems: string[] = [];
  for (const c of clients) {
    let host: string | undefined;
    for (const e of log) {
      if (e.host !== c) continue;
      if (e.source === 'netsim' && (e.event === 'start' || e.event === 'restart')) host = undefined;
      if (e.source !== 'app') continue;
      const to = typeof e.data['host'] === 'string' ? e.data['host'] : undefined;
      if (e.event === 'failover') problems.push(`${c} failed over from ${String(e.data['from'])} to ${String(to)} at ${e.t} ms`);
      else if (e.event === 'joined' && host !== undefined && to !== host) problems.push(`${c} joined ${String(to)} at ${e.t} ms after ${host}`);
      else if (e.event === 'left' && e.data['reason'] !== 'exit') problems.push(`${c} left at ${e.t} ms (${String(e.data['reason'])})`);
      if ((e.event === 'joined' || e.event === 'failover') && to !== undefined) host = to;
    }
  }
  return { ok: problems.length === 0, problems: problems.slice(0, MAX_SPLITS) };
}
