/**
 * The cost of secure mode (TLS 1.3 with client certificates, docs/security.md): the built channel
 * server in plain mode and in secure mode (`--network-key-file`) under the server suite's workloads,
 * each figure with plain as its baseline, so the ratio is secure / plain. Secure load clients are
 * members with their own identities, JOINing as their proven peer IDs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatNetworkKeys, generateNetworkKey } from '@ims/secure';
import type { BenchContext, BenchSuite } from '../report.js';
import { joinClient, type Dial } from './server/load-client.js';
import { scrapeFanoutP99Ms, type Target } from './server/proc.js';
import { fanOut, idleRss, manyChannels, type FanOutResult } from './server/workloads.js';
import { benchNames, memberPool, type MemberPool } from './secure/members.js';
import { comparePair, SecureServerFailed, type PairRuns, type PairSetup } from './secure/pair.js';
import { secureDial } from './secure/secure-dial.js';
import { setupRate } from './secure/setup-rate.js';

/** How `mode`'s load clients connect: plain TCP, or TLS 1.3 as members of `pool`. */
function dialOf(mode: 'plain' | 'secure', pool: MemberPool): Dial {
  return mode === 'plain' ? joinClient : secureDial(pool);
}

/** A target whose load clients connect as `mode` does. */
function dialing(t: Target, mode: 'plain' | 'secure', pool: MemberPool): Target {
  return { ...t, dial: dialOf(mode, pool) };
}

/** The suite's sizes at `scale` (the server suite's workloads, fewer repeats). */
function sizes(scale: number) {
  return {
    fanOutMembers: 50,
    // 1 M deliveries at scale 1: the server's CPU time is read in 10 ms ticks.
    fanOutPosts: Math.max(400, Math.round(20_000 * scale)),
    channels: Math.max(10, Math.round(100 * scale)),
    channelSeconds: Math.max(2, Math.round(10 * scale)),
    idle: Math.max(200, Math.round(2_000 * scale)),
    idleChannels: Math.max(20, Math.round(200 * scale)),
    setups: Math.max(200, Math.round(2_000 * scale)),
    setupParallel: 32,
  };
}

const loadLine = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const us = (x: number): string => `${x.toFixed(3)} µs`;

async function fanOutFigures(ctx: BenchContext, setup: PairSetup, pool: MemberPool, members: number, posts: number): Promise<void> {
  ctx.progress(`fan-out: 1 sender, ${members} members, ${posts} posts, median of 3 alternating runs`);
  const r = await comparePair(setup, (t, mode) => fanOut(dialing(t, mode, pool), members, posts), (x) => x.deliveredPerSec, `fan-out ${members}`, 3);
  const cpu = (name: string, x: FanOutResult): string => `${name} ${x.serverCpuPercent.toFixed(0)} % / load generator ${x.loadCpuPercent.toFixed(0)} %`;
  ctx.progress(`CPU in % of a core, server / load generator: ${cpu('plain', r.plain)}, ${cpu('secure', r.secure)}`);
  ctx.progress(`server CPU per delivery: plain ${us(r.plain.serverCpuUsPerDelivery)}, secure ${us(r.secure.serverCpuUsPerDelivery)}`);
  const label = `secure vs plain: fan-out ${members} members`;
  ctx.figure(`${label} delivered`, r.secure.deliveredPerSec, 'msgs/s', r.plain.deliveredPerSec);
  ctx.figure(`${label} p50 latency (lower is better)`, r.secure.p50Ms, 'ms', r.plain.p50Ms);
  ctx.figure(`${label} p99 latency (lower is better)`, r.secure.p99Ms, 'ms', r.plain.p99Ms);
  ctx.figure(`${label} server CPU per delivery (lower is better)`, r.secure.serverCpuUsPerDelivery, 'µs', r.plain.serverCpuUsPerDelivery);
}

async function channelFigures(ctx: BenchContext, setup: PairSetup, pool: MemberPool, channels: number, seconds: number): Promise<void> {
  ctx.progress(`${channels} channels x 10 members, 20 posts/s per channel, ${seconds} s`);
  const m = await comparePair(
    setup,
    async (t, mode) => {
      const r = await manyChannels(dialing(t, mode, pool), channels, 10, 20, seconds * 1000);
      return { ...r, serverP99Ms: t.httpPort === undefined ? Number.NaN : await scrapeFanoutP99Ms(t.httpPort) };
    },
    (x) => x.p99Ms,
    `${channels}x10`,
  );
  ctx.progress(`CPU in % of a core, server / load generator: plain ${m.plain.cpuPercent.toFixed(0)} / ${m.plain.loadCpuPercent.toFixed(0)} %, secure ${m.secure.cpuPercent.toFixed(0)} / ${m.secure.loadCpuPercent.toFixed(0)} %`);
  const label = `secure vs plain: ${channels}x10@20/s`;
  ctx.figure(`${label} p50 latency (lower is better)`, m.secure.p50Ms, 'ms', m.plain.p50Ms);
  ctx.figure(`${label} p99 latency (lower is better)`, m.secure.p99Ms, 'ms', m.plain.p99Ms);
  // The server's own share of the latency (its histogram, warm-up included), free of load-generator delays.
  ctx.figure(`${label} server-side fan-out p99, bucket bound (lower is better)`, m.secure.serverP99Ms, 'ms', m.plain.serverP99Ms);
  ctx.figure(`${label} server CPU (lower is better)`, m.secure.cpuPercent, '% of a core', m.plain.cpuPercent);
  ctx.figure(`${label} server CPU per delivery (lower is better)`, m.secure.serverCpuUsPerDelivery, 'µs', m.plain.serverCpuUsPerDelivery);
}

async function idleFigures(ctx: BenchContext, setup: PairSetup, pool: MemberPool, idle: number, channels: number): Promise<void> {
  ctx.progress(`RSS with ${idle} idle clients in ${channels} channels`);
  const r: PairRuns<number> = await comparePair(setup, (t, mode) => idleRss(dialing(t, mode, pool), idle, channels), (x) => x, 'idle RSS');
  ctx.figure('secure vs plain: server RSS per idle connection (lower is better)', r.secure / 1024, 'KiB', r.plain / 1024);
}

async function setupFigures(ctx: BenchContext, setup: PairSetup, pool: MemberPool, count: number, parallel: number): Promise<void> {
  ctx.progress(`connection set-up: ${count} members each connect, JOIN, get the server's first frame and close, ${parallel} in flight`);
  const names = benchNames(count);
  const r = await comparePair(setup, (t, mode) => setupRate(t, dialOf(mode, pool), names, parallel), (x) => x.perSec, 'connection set-up');
  ctx.progress(`load generator CPU during set-up: plain ${r.plain.loadCpuPercent.toFixed(0)} %, secure ${r.secure.loadCpuPercent.toFixed(0)} % of a core (it does the client half of every handshake)`);
  const label = 'secure vs plain: connection set-up';
  ctx.figure(`${label} accepted (TLS handshakes for secure)`, r.secure.perSec, 'per s', r.plain.perSec);
  ctx.figure(`${label} p50 latency (lower is better)`, r.secure.p50Ms, 'ms', r.plain.p50Ms);
  ctx.figure(`${label} p99 latency (lower is better)`, r.secure.p99Ms, 'ms', r.plain.p99Ms);
  ctx.figure(`${label} server CPU per connection (lower is better)`, r.secure.serverCpuUsPerSetup, 'µs', r.plain.serverCpuUsPerSetup);
  // What one core of server CPU accepts: the measured rate is bounded by the load generator's half of each handshake on the same cores.
  ctx.figure(`${label} per core of server CPU`, 1e6 / r.secure.serverCpuUsPerSetup, 'per s', 1e6 / r.plain.serverCpuUsPerSetup);
}

/** Write a fresh network key file (0600, as `ims keygen` does) into `dir`. */
function writeKeyFile(dir: string): { keyFile: string; pool: MemberPool } {
  const key = generateNetworkKey();
  const keyFile = join(dir, 'network.key');
  writeFileSync(keyFile, formatNetworkKeys([key]), { mode: 0o600 });
  return { keyFile, pool: memberPool(key) };
}

const suite: BenchSuite = {
  name: 'secure',
  async run(ctx) {
    // Latency figures mean little on a busy machine: say how busy it was, before and after.
    ctx.progress(`load average at start: ${loadLine()}`);
    const n = sizes(ctx.scale);
    const started = performance.now();
    const dir = mkdtempSync(join(tmpdir(), 'ims-bench-secure-'));
    try {
      const { keyFile, pool } = writeKeyFile(dir);
      const setup: PairSetup = { dir, keyFile };
      const members = Math.max(n.fanOutMembers, n.channels * 10, n.idle, n.setups);
      const msEach = pool.prepare(benchNames(members));
      ctx.progress(`${members} member identities (Ed25519 key + leaf certificate each) in ${((msEach * members) / 1000).toFixed(2)} s, ${(msEach * 1000).toFixed(0)} µs each, cached for the suite`);
      await fanOutFigures(ctx, setup, pool, n.fanOutMembers, n.fanOutPosts);
      await channelFigures(ctx, setup, pool, n.channels, n.channelSeconds);
      await idleFigures(ctx, setup, pool, n.idle, n.idleChannels);
      await setupFigures(ctx, setup, pool, n.setups, n.setupParallel);
    } catch (err) {
      if (!(err instanceof SecureServerFailed)) throw err;
      // Reported, not thrown: the figures so far stand, the other suites still run, the exit status says it failed.
      ctx.progress(`FAILED: ${err.message}`);
      process.exitCode = 1;
    } finally {
      rmSync(dir, { recursive: true, force: true });
      ctx.progress(`load average at end: ${loadLine()} (suite took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
  },
};

export default suite;
