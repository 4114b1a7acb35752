/**
 * The three curve tables from the points' outcomes (pure): one row per point, a point without a
 * result keeps its key cells and says why.
 */
import type { PointOutcome } from './budget.js';
import type { ChannelsPointResult } from './channels-load.js';
import type { HistoryPointResult } from './history-point.js';
import type { ChannelsPoint, HistoryPoint, MembersPoint } from './points.js';
import { failedRow, formatCount, formatMiB, formatMs, formatRate, type Table } from './table.js';

/** The members curve's result per point (the server suite's fan-out figures). */
export interface MembersPointResult {
  readonly deliveredPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly serverCpuPercent: number;
  readonly loadCpuPercent: number;
  /** Seconds from the first connect until every member has joined (seen the warm-up post). */
  readonly assembleSeconds: number;
  /** Server CPU seconds over the same time. */
  readonly assembleCpuSeconds: number;
}

/** Shortest measured run whose CPU figures the members table shows. */
export const MIN_CPU_RUN_S = 0.2;

const pct = (v: number): string => (Number.isFinite(v) ? v.toFixed(0) : '—');

/** Table of the channels curve. */
export function channelsTable(rows: readonly { point: ChannelsPoint; outcome: PointOutcome<ChannelsPointResult> }[]): Table {
  const headers = ['channels', 'members each', 'connections', 'posts/s offered', 'delivered msgs/s', 'p50 ms', 'p99 ms', 'server CPU %', 'load gen CPU %', 'server RSS MiB', 'setup s'];
  return {
    title: 'Cost curve: channels (a fixed total post rate spread evenly over them)',
    headers,
    rows: rows.map(({ point: p, outcome: o }) => {
      const key = [formatCount(p.channels), String(p.membersPer), formatCount(p.channels * p.membersPer), formatCount(p.totalRate)];
      if (!o.ok) return failedRow(key, headers.length, o.why);
      const r = o.value;
      return [...key, formatRate(r.deliveredPerSec), formatMs(r.p50Ms), formatMs(r.p99Ms), pct(r.serverCpuPercent), pct(r.loadCpuPercent), formatMiB(r.serverRssBytes), r.setupSeconds.toFixed(1)];
    }),
    notes: [
      'delivered = deliveries (every post to every member, sender included) / first post to last delivery;',
      'latency = post sent to SAY received, in the load generator; CPU in % of one core over the measured run.',
    ],
  };
}

/** Table of the members curve. */
export function membersTable(rows: readonly { point: MembersPoint; outcome: PointOutcome<MembersPointResult> }[]): Table {
  const headers = ['members', 'posts', 'delivered msgs/s', 'p50 ms', 'p99 ms', 'server CPU %', 'server µs/delivery', 'load gen CPU %', 'all joined s', 'join CPU s'];
  return {
    title: 'Cost curve: members in one channel (one sender, 64 posts in flight, as fast as they go)',
    headers,
    rows: rows.map(({ point: p, outcome: o }) => {
      const key = [formatCount(p.members), formatCount(p.posts)];
      if (!o.ok) return failedRow(key, headers.length, o.why);
      const r = o.value;
      // CPU comes from /proc in 10 ms ticks: a run shorter than MIN_CPU_RUN_S would show noise.
      const cpuOk = (p.posts * p.members) / r.deliveredPerSec >= MIN_CPU_RUN_S;
      const usPer = (r.serverCpuPercent / 100 / r.deliveredPerSec) * 1e6;
      const cpu = cpuOk ? [pct(r.serverCpuPercent), formatMs(usPer), pct(r.loadCpuPercent)] : ['—', '—', '—'];
      return [...key, formatRate(r.deliveredPerSec), formatMs(r.p50Ms), formatMs(r.p99Ms), ...cpu, r.assembleSeconds.toFixed(1), r.assembleCpuSeconds.toFixed(1)];
    }),
    notes: [
      'server µs/delivery = server CPU seconds / deliveries: the figure that holds on a busy machine;',
      'latency is under saturation (64 posts x members deliveries queued); all joined = first connect until every member saw a post; join CPU = server CPU seconds in that time; CPU — : measured run under 0.2 s.',
    ],
  };
}

/** Table of the history curve (`point` undefined: the empty data dir). */
export function historyTable(rows: readonly { point: HistoryPoint | undefined; outcome: PointOutcome<HistoryPointResult> }[]): Table {
  const headers = ['stored posts', 'layout', 'replayed per JOIN', 'fill s', 'start-up ms', 'RSS started MiB', '1st JOIN ms', '2nd JOIN ms', 'RSS joined MiB'];
  return {
    title: 'Cost curve: stored history (SQLite data dir filled before start)',
    headers,
    rows: rows.map(({ point: p, outcome: o }) => {
      const layout = !p ? 'empty' : p.layout === 'one-channel' ? '1 channel' : `${formatCount(p.channels)} ch x ${formatCount(p.perChannel)}`;
      const key = [formatCount(p?.posts ?? 0), layout, formatCount(p?.perChannel ?? 0)];
      if (!o.ok) return failedRow(key, headers.length, o.why);
      const r = o.value;
      return [...key, r.fillSeconds.toFixed(2), formatMs(r.startupMs), formatMiB(r.rssAfterStartBytes), formatMs(r.firstJoinMs), formatMs(r.secondJoinMs), formatMiB(r.rssAfterJoinBytes)];
    }),
    notes: [
      "filled by writing the SQLite file with the server's own built history store (apps/channel-server/dist/history), not over TCP;",
      'the server runs with --history-per-channel = replayed per JOIN; start-up = spawn to the `listening` line (Node start included);',
      'JOIN ms = connect + JOIN to the last history SAY; the 2nd JOIN finds the replay already encoded.',
    ],
  };
}
