/**
 * Thundering herd (issue 10): 200 channels × 2 memberships from one address, the host killed with
 * SIGKILL, every membership back on the `--standby-for` box. Target on a quiet machine: p99 ≤ 2 s,
 * none lost.
 */
import { loadavg } from 'node:os';
import type { BenchSuite } from '../report.js';
import { quantile, runHerd } from './herd/herd-run.js';

const suite: BenchSuite = {
  name: 'herd',
  async run(ctx) {
    const channels = Math.max(4, Math.round(200 * ctx.scale));
    const load = loadavg()[0] ?? 0;
    ctx.progress(`${channels} channels × 2 memberships, load average ${load.toFixed(2)}`);
    const r = await runHerd({ channels, perChannel: 2, backWithinMs: 30_000, setupMs: 120_000, progress: ctx.progress });
    ctx.figure('herd: memberships', r.memberships, 'count');
    ctx.figure('herd: back on the standby p50', quantile(r.backMs, 0.5), 'ms');
    const p99 = ctx.figure('herd: back on the standby p99', quantile(r.backMs, 0.99), 'ms');
    ctx.figure('herd: back on the standby max', quantile(r.backMs, 1), 'ms');
    ctx.figure('herd: lost', r.lost, 'count');
    ctx.figure('herd: scattered (failed over elsewhere)', r.scattered, 'count');
    if (Object.keys(r.leftReasons).length > 0) ctx.progress(`memberships that left, by reason: ${JSON.stringify(r.leftReasons)}`);
    ctx.figure('herd: load average (1 min) at start', load, 'load');
    ctx.progress(`target p99 ≤ 2000 ms and none lost: ${p99.value <= 2_000 && r.lost === 0 ? 'met' : 'NOT met'}`);
  },
};
export default suite;
