/**
 * Cost curves (issue 13 item 3), for sizing a box: the built channel server (SQLite history on,
 * capacity limits raised) as channels grow, as members per channel grow, and as stored history
 * grows; printed as tables. Each point has a time budget; `--quick` runs the small end of each
 * curve. `npm run bench -- --only curves` (raise `ulimit -n` first where you can: the 10,000-channel
 * point holds 30,000 connections in this process and as many in the server; under a lower limit it
 * runs with fewer members per channel and says so).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchContext, BenchSuite } from '../report.js';
import { stopTarget, type Target } from './server/proc.js';
import { withBudget, type PointOutcome } from './curves/budget.js';
import { missingBuild, raisedLimitsLine, SERVER_MAIN, startBuiltServer } from './curves/built-server.js';
import { runChannelsPoint, type ChannelsPointResult } from './curves/channels-load.js';
import { runHistoryPoint, type HistoryPointResult } from './curves/history-point.js';
import { runMembersPoint } from './curves/members-load.js';
import { connectionsOf, curvePoints, FD_RESERVE, MEMBERS_PER_CHANNEL, type ChannelsPoint, type HistoryPoint, type MembersPoint } from './curves/points.js';
import { channelsTable, historyTable, membersTable, type MembersPointResult } from './curves/render.js';
import { formatTable, type Table } from './curves/table.js';

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

/** This process's soft limit on open files (the server child inherits it). */
function openFilesLimit(): number {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return !m || m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

function printTable(t: Table): void {
  process.stdout.write(['', ...formatTable(t), ''].join('\n') + '\n');
}

/** A server on a fresh data dir for the length of `fn`. */
async function withServer<T>(own: (t: Target) => void, fn: (t: Target) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ims-curves-'));
  const target = await startBuiltServer(dir);
  own(target);
  try {
    return await fn(target);
  } finally {
    await stopTarget(target);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A point's progress line once it has run. */
function describe<T>(o: PointOutcome<T>, detail: (v: T) => string): string {
  return o.ok ? `done in ${o.seconds.toFixed(1)} s: ${detail(o.value)}` : `${o.why} after ${o.seconds.toFixed(1)} s`;
}

async function channelsCurve(ctx: BenchContext, points: readonly ChannelsPoint[]): Promise<void> {
  const rows: { point: ChannelsPoint; outcome: PointOutcome<ChannelsPointResult> }[] = [];
  const limit = openFilesLimit();
  for (const p of points) {
    const label = `${p.channels} channels x ${p.membersPer} members, ${p.totalRate} posts/s in all, ${p.seconds} s`;
    if (p.membersPer < MEMBERS_PER_CHANNEL) ctx.progress(`${p.channels} channels: ${p.membersPer} member(s) each, not ${MEMBERS_PER_CHANNEL}: ${p.channels * MEMBERS_PER_CHANNEL} connections do not fit in ulimit -n ${limit}`);
    const need = connectionsOf(p) + FD_RESERVE;
    if (need > limit) {
      ctx.progress(`${label}: skipped, ulimit -n ${limit} < ${need}`);
      rows.push({ point: p, outcome: { ok: false, why: `skipped: ulimit -n < ${need}`, seconds: 0 } });
      continue;
    }
    ctx.progress(`${label} (budget ${Math.round(p.budgetMs / 1000)} s)`);
    const outcome = await withBudget(p.budgetMs, (own, deadline) => withServer(own, (t) => runChannelsPoint(t, p, deadline)));
    ctx.progress(describe(outcome, (r: ChannelsPointResult) => `p99 ${r.p99Ms.toFixed(2)} ms, ${Math.round(r.deliveredPerSec)} msgs/s`));
    if (outcome.ok) {
      ctx.figure(`curves ${p.channels} channels x ${p.membersPer} delivered`, outcome.value.deliveredPerSec, 'msgs/s');
      ctx.figure(`curves ${p.channels} channels x ${p.membersPer} p99 latency (lower is better)`, outcome.value.p99Ms, 'ms');
    }
    rows.push({ point: p, outcome });
  }
  printTable(channelsTable(rows));
}

async function membersCurve(ctx: BenchContext, points: readonly MembersPoint[]): Promise<void> {
  const rows: { point: MembersPoint; outcome: PointOutcome<MembersPointResult> }[] = [];
  for (const p of points) {
    ctx.progress(`${p.members} members in one channel, ${p.posts} posts (budget ${Math.round(p.budgetMs / 1000)} s)`);
    const outcome = await withBudget(p.budgetMs, (own, deadline) => withServer(own, (t) => runMembersPoint(t, p, deadline)));
    ctx.progress(describe(outcome, (r: MembersPointResult) => `p99 ${r.p99Ms.toFixed(2)} ms, ${Math.round(r.deliveredPerSec)} msgs/s, all joined in ${r.assembleSeconds.toFixed(1)} s`));
    if (outcome.ok) {
      ctx.figure(`curves ${p.members} members delivered`, outcome.value.deliveredPerSec, 'msgs/s');
      ctx.figure(`curves ${p.members} members p99 latency (lower is better)`, outcome.value.p99Ms, 'ms');
    }
    rows.push({ point: p, outcome });
  }
  printTable(membersTable(rows));
}

async function historyCurve(ctx: BenchContext, points: readonly HistoryPoint[]): Promise<void> {
  const rows: { point: HistoryPoint | undefined; outcome: PointOutcome<HistoryPointResult> }[] = [];
  for (const p of [undefined, ...points]) {
    const label = p ? `${p.posts} stored posts in ${p.channels} channel(s) of ${p.perChannel}` : 'empty data dir';
    ctx.progress(`${label} (budget ${Math.round((p?.budgetMs ?? 60_000) / 1000)} s)`);
    const outcome = await withBudget(p?.budgetMs ?? 60_000, (own, deadline) => runHistoryPoint(p, own, deadline));
    ctx.progress(describe(outcome, (r: HistoryPointResult) => `start-up ${r.startupMs.toFixed(0)} ms, first JOIN ${r.firstJoinMs.toFixed(1)} ms`));
    if (outcome.ok && p) {
      const name = `curves history ${p.posts} posts, ${p.layout}`;
      ctx.figure(`${name} start-up (lower is better)`, outcome.value.startupMs, 'ms');
      ctx.figure(`${name} JOIN with history (lower is better)`, outcome.value.firstJoinMs, 'ms');
    }
    rows.push({ point: p, outcome });
  }
  printTable(historyTable(rows));
}

const suite: BenchSuite = {
  name: 'curves',
  async run(ctx) {
    const missing = missingBuild();
    if (missing) throw new Error(`curves: ${missing}`);
    const points = curvePoints(ctx.scale, openFilesLimit());
    ctx.progress(`load average at start: ${load()}`);
    process.stdout.write(`curves: load average at start ${load()} (1, 5, 15 min)\n`);
    ctx.progress(`server: node ${SERVER_MAIN}, SQLite history on; ulimit -n ${openFilesLimit()}`);
    ctx.progress(`limits raised for capacity: ${raisedLimitsLine()}`);
    await channelsCurve(ctx, points.channels);
    await membersCurve(ctx, points.members);
    await historyCurve(ctx, points.history);
    ctx.progress(`load average at end: ${load()}`);
    process.stdout.write(`\ncurves: load average at end ${load()} (1, 5, 15 min)\n`);
  },
};

export default suite;
