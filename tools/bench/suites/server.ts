/**
 * Channel hosting under load: the real channel server (child process, SQLite history on) against a
 * minimal hand-written relay under the same load, on loopback, and against nats-server (a subject per
 * channel) when it is installed. Figures carry the relay or nats-server as baseline; the targets are
 * printed with whether this run met them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext, BenchSuite } from '../report.js';
import { findNatsServer, startNats, type NatsServer } from './server/nats.js';
import { scrapeFanoutP99Ms, startTarget, stopTarget, type Target } from './server/proc.js';
import { startIms } from './server/ims-target.js';
import { medianBy, pairedRatios } from './server/stats.js';
import { fanOut, idleRss, manyChannels, type FanOutResult } from './server/workloads.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const TSX = ['--conditions=@ims/source', '--import', 'tsx'];

function startRelay(): Promise<Target> {
  return startTarget('relay', [...TSX, join(here, 'server/relay.ts'), '0'], root);
}

/** Each target's median run of one workload; `nats` only when nats-server is installed. */
interface Runs<R> {
  readonly ims: R;
  readonly relay: R;
  readonly nats: R | undefined;
  /** Every run, in order: round i ran relay, ims and nats back to back. */
  readonly all: { readonly ims: readonly R[]; readonly relay: readonly R[]; readonly nats: readonly R[] | undefined };
  /** The unmeasured warm-up runs, likewise (printed, never in a figure). */
  readonly warm: { readonly ims: readonly R[]; readonly relay: readonly R[]; readonly nats: readonly R[] | undefined };
}

/**
 * Run `fn` against a fresh relay, a fresh ims server and (when `nats` is given) a fresh nats-server,
 * `repeats` times each, alternating, and keep the median run of each by `key`: on a shared machine,
 * alternating spreads other load over all of them. The first `discard` rounds warm every target up
 * and are not kept. Every process started is stopped, also on failure.
 */
async function compare<R>(
  fn: (t: Target) => Promise<R>,
  key: (r: R) => number,
  nats: NatsServer | undefined,
  repeats = 1,
  discard = 0,
): Promise<Runs<R>> {
  const dir = mkdtempSync(join(tmpdir(), 'ims-bench-'));
  const targets: Target[] = [];
  try {
    targets.push(await startRelay());
    targets.push(await startIms(dir));
    if (nats) targets.push(await startNats(nats));
    const runs = targets.map(() => [] as R[]);
    const warmRuns = targets.map(() => [] as R[]);
    for (let i = 0; i < discard + repeats; i++) {
      for (const [t, target] of targets.entries()) {
        const r = await fn(target);
        (i >= discard ? runs : warmRuns)[t]?.push(r);
      }
    }
    const med = runs.map((r) => medianBy(r, key));
    const byTarget = (x: R[][]) => ({ relay: x[0] as R[], ims: x[1] as R[], nats: nats ? (x[2] as R[]) : undefined });
    return { relay: med[0] as R, ims: med[1] as R, nats: nats ? (med[2] as R) : undefined, all: byTarget(runs), warm: byTarget(warmRuns) };
  } finally {
    await Promise.all(targets.map((t) => stopTarget(t)));
    rmSync(dir, { recursive: true, force: true });
  }
}

function verdict(ctx: BenchContext, what: string, ok: boolean, detail: string): void {
  ctx.progress(`target ${what}: ${ok ? 'MET' : 'NOT MET'} (${detail})`);
}

/** The issue's targets: fan-out ≥ 0.9 × the relay and ≥ 1.2 × nats-server; CPU per delivery ≤ 1.1 × the relay's. */
const TARGET = { vsRelay: 0.9, vsNats: 1.2, cpuVsRelay: 1.1, p99Ms: 2.5, rssOverRelayKiB: 1 } as const;

/** Server CPU per delivery of each target, in µs, as one progress line. */
function cpuLine(r: Runs<{ readonly serverCpuUsPerDelivery: number }>): string {
  const part = (name: string, x: { readonly serverCpuUsPerDelivery: number } | undefined): string =>
    x ? `${name} ${x.serverCpuUsPerDelivery.toFixed(3)} µs` : '';
  return [part('ims', r.ims), part('relay', r.relay), part('nats', r.nats)].filter(Boolean).join(', ');
}

/** Every round's figure of each target, the unmeasured ones first in brackets: `ims [a] b/c/d, relay ...`. */
function byRound<R>(r: Runs<R>, show: (x: R) => string): string {
  return (['ims', 'relay', 'nats'] as const)
    .flatMap((k) => {
      const all = r.all[k];
      if (!all) return [];
      const warm = r.warm[k] ?? [];
      return [`${k} ${warm.length > 0 ? `[${warm.map(show).join('/')}] ` : ''}${all.map(show).join('/')}`];
    })
    .join(', ');
}

/** Alternating rounds of each fan-out: the CPU figures take their own medians over them (below). */
const FAN_OUT_ROUNDS = 5;
/**
 * Unmeasured rounds before them, for every target alike: a server runs for days, and its first
 * ~100,000 posts are the JIT compiling its code (`--trace-opt`: ims's server had 170 functions
 * optimised at the end of one round's warm-up, 298 after three more rounds, 310 after eight), which
 * costs the bigger program more than the relay and showed as ims's rounds 1 and 2 of 5 being the
 * dearest.
 */
const FAN_OUT_WARM_ROUNDS = 1;
/**
 * Alternating rounds of the 100 × 10 workload. One 10 s run's p99 is its ~2,000 slowest deliveries,
 * which on a shared 2-core box land in a few stalls of the machine: the relay's own p99 moved from
 * 1.3 to 16.9 ms between runs of one afternoon (channel-server README, runs 5–24).
 */
const P99_ROUNDS = 5;
/**
 * And one unmeasured round before them, as for the fan-outs: a fresh ims server's first round was
 * its slowest in most runs (4.1, 1.6, 1.3, 10.0 ms against 0.6–1.1 after it, 2026-12-02), while
 * nats-server, compiled ahead of time, has no such round. Its p99 is printed with the others.
 */
const P99_WARM_ROUNDS = 1;
/**
 * Rounds of the idle-RSS workload, each target's median kept: most of the figure is V8's young
 * generation grown by the join storm, the relay's too, and how far it grew moved the relay's
 * figure from 5.9 to 8.4 KiB between runs of one evening.
 */
const RSS_ROUNDS = 3;

/**
 * Server CPU per delivery of ims over the relay's, from all rounds: the median of each target's
 * figure (their ratio is the printed figure), and the median of the per-round ratios, ims's run
 * over the relay's run just before it. The verdict takes the per-round one: both runs of a round
 * share the machine's load of that moment, which on a shared box moves the relay's own figure by
 * ±20 % from one round to the next (0.27–0.44 µs at fan-out 50), more than the margin the target
 * is about. The throughput figures keep the median run by throughput.
 */
function cpuRatios(all: Runs<FanOutResult>['all']): { ims: number; relay: number; ratioOfMedians: number; medianOfRatios: number } {
  const r = pairedRatios(
    all.ims.map((x) => x.serverCpuUsPerDelivery),
    all.relay.map((x) => x.serverCpuUsPerDelivery),
  );
  return { ims: r.ims, relay: r.base, ratioOfMedians: r.ratioOfMedians, medianOfRatios: r.medianOfRatios };
}

async function fanOutFigures(ctx: BenchContext, members: number, posts: number, nats: NatsServer | undefined): Promise<void> {
  ctx.progress(`fan-out: 1 sender, ${members} members, ${posts} posts, ${FAN_OUT_ROUNDS} alternating rounds after ${FAN_OUT_WARM_ROUNDS} unmeasured`);
  const r = await compare((t) => fanOut(t, members, posts), (x) => x.deliveredPerSec, nats, FAN_OUT_ROUNDS, FAN_OUT_WARM_ROUNDS);
  const rounds = r.all.ims.map((x, i) => `${x.serverCpuUsPerDelivery.toFixed(3)}/${(r.all.relay[i] as FanOutResult).serverCpuUsPerDelivery.toFixed(3)}`);
  ctx.progress(`server CPU per delivery by round, ims/relay µs: ${rounds.join(', ')}`);
  ctx.progress(`delivered by round, k msgs/s (unmeasured first): ${byRound(r, (x) => (x.deliveredPerSec / 1000).toFixed(0))}`);
  const label = `server fan-out ${members} members`;
  // Which side saturates: a load generator near 100 % of a core bounds every target alike.
  const cpu = (name: string, x: FanOutResult | undefined): string =>
    x ? `${name} ${x.serverCpuPercent.toFixed(0)} % / load generator ${x.loadCpuPercent.toFixed(0)} %` : '';
  ctx.progress(`CPU in % of a core, target / load generator: ${[cpu('ims', r.ims), cpu('relay', r.relay), cpu('nats', r.nats)].filter(Boolean).join(', ')}`);
  ctx.progress(`server CPU per delivery in the median run by throughput: ${cpuLine(r)}`);
  const f = ctx.figure(`${label} delivered`, r.ims.deliveredPerSec, 'msgs/s', r.relay.deliveredPerSec);
  ctx.figure(`${label} p50 latency (lower is better)`, r.ims.p50Ms, 'ms', r.relay.p50Ms);
  ctx.figure(`${label} p99 latency (lower is better)`, r.ims.p99Ms, 'ms', r.relay.p99Ms);
  const perDelivery = cpuRatios(r.all);
  ctx.figure(`${label} server CPU per delivery, median of ${FAN_OUT_ROUNDS} rounds (lower is better)`, perDelivery.ims, 'µs', perDelivery.relay);
  ctx.figure(`${label} server CPU per delivery, median of per-round ims/relay (lower is better)`, perDelivery.medianOfRatios, 'x relay');
  verdict(ctx, `fan-out at ${members} members >= ${TARGET.vsRelay} x relay`, (f.ratio ?? 0) >= TARGET.vsRelay, `ims/relay ${f.ratio?.toFixed(2)}`);
  verdict(
    ctx,
    `server CPU per delivery at ${members} members <= ${TARGET.cpuVsRelay} x relay`,
    perDelivery.medianOfRatios <= TARGET.cpuVsRelay,
    `median of per-round ims/relay ${perDelivery.medianOfRatios.toFixed(2)}; ratio of the medians ${perDelivery.ratioOfMedians.toFixed(2)}`,
  );
  if (!r.nats) return;
  const n = ctx.figure(`${label} delivered vs nats`, r.ims.deliveredPerSec, 'msgs/s', r.nats.deliveredPerSec);
  ctx.figure(`${label} p50 latency vs nats (lower is better)`, r.ims.p50Ms, 'ms', r.nats.p50Ms);
  ctx.figure(`${label} p99 latency vs nats (lower is better)`, r.ims.p99Ms, 'ms', r.nats.p99Ms);
  ctx.figure(`${label} server CPU per delivery vs nats (lower is better)`, r.ims.serverCpuUsPerDelivery, 'µs', r.nats.serverCpuUsPerDelivery);
  verdict(ctx, `fan-out at ${members} members >= ${TARGET.vsNats} x nats-server`, (n.ratio ?? 0) >= TARGET.vsNats, `ims/nats ${n.ratio?.toFixed(2)}`);
}

const suite: BenchSuite = {
  name: 'server',
  async run(ctx) {
    const s = ctx.scale;
    // Latency figures mean little on a busy machine: say how busy it was, before and after.
    ctx.progress(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const nats = findNatsServer();
    if (!nats) ctx.progress('nats-server is not on PATH nor in /usr/sbin (Debian package nats-server): NATS comparison skipped');
    else ctx.progress(`NATS comparison with ${nats.command} (${nats.version}), a subject per channel`);

    // Enough deliveries (1 M at scale 1) that the server's CPU time, read in 10 ms ticks, is exact to ~2 %.
    await fanOutFigures(ctx, 50, Math.max(400, Math.round(20_000 * s)), nats);
    await fanOutFigures(ctx, 500, Math.max(40, Math.round(2_000 * s)), nats);

    const channels = Math.max(10, Math.round(100 * s));
    const seconds = Math.max(2, Math.round(10 * s));
    ctx.progress(`${channels} channels x 10 members, 20 posts/s per channel, ${seconds} s, ${P99_ROUNDS} alternating rounds after ${P99_WARM_ROUNDS} unmeasured (the figures are each target's median round by p99)`);
    const m = await compare(
      async (t) => {
        const r = await manyChannels(t, channels, 10, 20, seconds * 1000);
        return { ...r, serverP99Ms: t.httpPort === undefined ? Number.NaN : await scrapeFanoutP99Ms(t.httpPort) };
      },
      (x) => x.p99Ms,
      nats,
      P99_ROUNDS,
      P99_WARM_ROUNDS,
    );
    ctx.progress(`p99 by round, ms (unmeasured first): ${byRound(m, (x) => x.p99Ms.toFixed(2))}`);
    const label = `server ${channels}x10@20/s`;
    ctx.figure(`${label} p50 latency (lower is better)`, m.ims.p50Ms, 'ms', m.relay.p50Ms);
    const p99 = ctx.figure(`${label} p99 latency (lower is better)`, m.ims.p99Ms, 'ms', m.relay.p99Ms);
    ctx.figure(`${label} server CPU (lower is better)`, m.ims.cpuPercent, '% of a core', m.relay.cpuPercent);
    // The server's own share of the latency (its histogram, warm-up included), free of load-generator delays.
    ctx.figure(`${label} server-side fan-out p99, bucket bound (lower is better)`, m.ims.serverP99Ms, 'ms');
    ctx.progress(`server CPU per delivery: ${cpuLine(m)}`);
    ctx.figure(`${label} server CPU per delivery (lower is better)`, m.ims.serverCpuUsPerDelivery, 'µs', m.relay.serverCpuUsPerDelivery);
    verdict(ctx, `p99 <= ${TARGET.p99Ms} ms at ${label}`, p99.value <= TARGET.p99Ms, `${p99.value.toFixed(2)} ms end to end`);
    if (m.nats) {
      ctx.figure(`${label} p50 latency vs nats (lower is better)`, m.ims.p50Ms, 'ms', m.nats.p50Ms);
      const pn = ctx.figure(`${label} p99 latency vs nats (lower is better)`, m.ims.p99Ms, 'ms', m.nats.p99Ms);
      ctx.figure(`${label} server CPU vs nats (lower is better)`, m.ims.cpuPercent, '% of a core', m.nats.cpuPercent);
      verdict(ctx, `p99 <= nats-server's at ${label}`, (pn.ratio ?? Infinity) <= 1, `ims/nats ${pn.ratio?.toFixed(2)}`);
    }

    const idle = Math.max(200, Math.round(2_000 * s));
    const idleChannels = Math.max(20, Math.round(200 * s));
    ctx.progress(`RSS with ${idle} idle clients in ${idleChannels} channels, ${RSS_ROUNDS} rounds of fresh processes`);
    // RSS is compared with the relay only (the issue asks no NATS figure for it). Each round has
    // fresh processes (a server's channel-creation budget would refuse a second round's channels).
    const rounds: { ims: number; relay: number }[] = [];
    for (let i = 0; i < RSS_ROUNDS; i++) rounds.push(await compare((t) => idleRss(t, idle, idleChannels), (x) => x, undefined));
    const r = { ims: medianBy(rounds.map((x) => x.ims), (x) => x), relay: medianBy(rounds.map((x) => x.relay), (x) => x) };
    ctx.progress(`RSS per idle connection by round, ims/relay KiB: ${rounds.map((x) => `${(x.ims / 1024).toFixed(1)}/${(x.relay / 1024).toFixed(1)}`).join(', ')}`);
    const rss = ctx.figure(`server RSS per idle connection, median of ${RSS_ROUNDS} rounds (lower is better)`, r.ims / 1024, 'KiB', r.relay / 1024);
    verdict(ctx, 'RSS <= 10 KB per idle connection', rss.value * 1024 <= 10_000, `${rss.value.toFixed(1)} KiB`);
    verdict(ctx, `RSS per idle connection <= relay + ${TARGET.rssOverRelayKiB} KiB`, rss.value <= r.relay / 1024 + TARGET.rssOverRelayKiB, `${rss.value.toFixed(1)} vs ${(r.relay / 1024).toFixed(1)} KiB`);
    ctx.progress(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  },
};

export default suite;
