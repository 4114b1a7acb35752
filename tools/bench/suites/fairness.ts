/**
 * Fairness (issue 11 item 4): a quiet channel's p99 delivery latency on a channel server with its
 * default limits, unloaded, then next to one flooding connection, then next to 200 connections
 * each just under the per-connection rate (from one address, and from 10), each printed with its
 * ratio to the unloaded p99 (target: at most 2). Each attack runs twice: against the defaults,
 * and with the budgets of issue 11 lifted (only the per-connection limits: what the server did
 * before), so the figures show what the budgets buy. The attacker is its own process, so only the
 * server is shared; `npm run bench -- --only fairness`.
 */
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSuite } from '../report.js';
import { type Attack, PER_CONNECTION_ONLY, type Paths, type PhaseResult, runPhase } from './fairness/phases.js';

const here = dirname(fileURLToPath(import.meta.url));
const paths: Paths = { root: join(here, '..', '..', '..'), here, tsx: ['--conditions=@ims/source', '--import', 'tsx'] };

const ATTACKS: readonly { readonly label: string; readonly attack: Attack }[] = [
  { label: 'one flooding connection (50 readers in its channel)', attack: { mode: 'flood', connections: 51, addresses: 1 } },
  { label: '200 connections at 95 frames/s, one address', attack: { mode: 'crowd', connections: 200, addresses: 1 } },
  { label: '200 connections at 95 frames/s, 10 addresses', attack: { mode: 'crowd', connections: 200, addresses: 10 } },
];

/** One phase's other figures, as a progress line. */
function details(r: PhaseResult): string {
  const a = r.attacker;
  const attacker = a ? `, attacker connects ${a.connects} closes ${a.closes} frames sent ${a.framesSent} bytes read ${a.bytesIn}` : '';
  return `p50 ${r.p50Ms.toFixed(2)} ms, missing ${r.missing}, server CPU ${r.serverCpuPercent.toFixed(0)} %, server-side fan-out p99 <= ${r.serverP99Ms} ms${attacker}`;
}

const suite: BenchSuite = {
  name: 'fairness',
  async run(ctx) {
    const ms = Math.max(2_000, Math.round(5_000 * ctx.scale));
    const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
    ctx.progress(`load average at start: ${load()}`);
    ctx.progress(`quiet channel: 5 members, 200 posts/s for ${ms} ms, unloaded`);
    const base = await runPhase(paths, undefined, ms);
    const unloaded = ctx.figure('fairness quiet channel p99, unloaded (lower is better)', base.p99Ms, 'ms');
    ctx.progress(`unloaded: ${details(base)}`);
    for (const { label, attack } of ATTACKS) {
      for (const [variant, flags] of [['', []], [', per-connection limits only', PER_CONNECTION_ONLY]] as const) {
        ctx.progress(`quiet channel next to ${label}${variant}`);
        const r = await runPhase(paths, attack, ms, flags);
        const f = ctx.figure(`fairness quiet channel p99 next to ${label}${variant} (lower is better)`, r.p99Ms, 'ms', unloaded.value);
        ctx.progress(`${label}${variant}: ${details(r)}`);
        if (variant === '') ctx.progress(`target ${label} <= 2x unloaded: ${(f.ratio ?? Infinity) <= 2 && r.missing === 0 ? 'MET' : 'NOT MET'} (ratio ${f.ratio?.toFixed(2)})`);
      }
    }
    ctx.progress(`load average at end: ${load()}`);
  },
};

export default suite;
