/**
 * The channels curve's workload: `channels` channels of a few members each, a fixed total post
 * rate spread evenly over them (post k goes to channel k mod channels, so the cost per tick is one
 * per post whatever the channel count), latency measured in this process as in the server suite.
 */
import { performance } from 'node:perf_hooks';
import { joinClient, joinMany, until, type Dial, type LoadClient } from '../server/load-client.js';
import { cpuSeconds, rssBytes, type Target } from '../server/proc.js';
import { Samples } from '../server/stats.js';
import { sourceAddressOf, type ChannelsPoint } from './points.js';

/** What one channels point measured. */
export interface ChannelsPointResult {
  /** Deliveries per second, first post sent to last delivery received. */
  readonly deliveredPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU of the server and of this load generator over the measured run, in % of one core. */
  readonly serverCpuPercent: number;
  readonly loadCpuPercent: number;
  /** Server RSS with every connection open, after the run. */
  readonly serverRssBytes: number;
  /** Seconds to connect and warm up every member. */
  readonly setupSeconds: number;
}

/** A dial that spreads connections over 127.0.0.x source addresses, in the order they are opened. */
export function spreadDial(): Dial {
  let i = 0;
  return (port, channel, id) => joinClient(port, channel, id, sourceAddressOf(i++));
}

/** ms left before `deadline` (a `performance.now()` time), at least one second so a wait can still succeed. */
function left(deadline: number): number {
  return Math.max(1_000, deadline - performance.now());
}

/** Every group's first member posts a token until every member has seen its group's token (so all have joined). */
export async function warmUp(groups: readonly (readonly LoadClient[])[], deadline: number): Promise<void> {
  const all = groups.flat();
  const seen = new Map<LoadClient, string>();
  for (const c of all) c.onSay = (text) => void seen.set(c, text);
  const token = groups.map(() => '');
  const joined = (g: readonly LoadClient[], i: number): boolean => g.every((c) => seen.get(c) === token[i]);
  for (let round = 0; ; round++) {
    groups.forEach((g, i) => {
      if (joined(g, i)) return;
      token[i] = `warm-${round}`;
      g[0]?.say(token[i] as string);
    });
    try {
      await until(() => groups.every(joined), 2_000, 'warm-up', 10);
      break;
    } catch (err) {
      // A JOIN still in flight when the token went out: post another.
      if (performance.now() > deadline) throw err;
    }
  }
  for (const c of all) c.onSay = undefined;
}

/** Post at `totalRate` for `ms`, then wait for every delivery; `measure` false just warms the JIT. */
async function pump(target: Target, groups: readonly (readonly LoadClient[])[], totalRate: number, ms: number, deadline: number) {
  const members = groups[0]?.length ?? 0;
  const lat = new Samples();
  let received = 0;
  let lastAt = 0;
  for (const c of groups.flat()) {
    c.onSay = (text) => {
      lastAt = performance.now();
      lat.push(lastAt - Number(text));
      received += 1;
    };
  }
  const pid = target.child.pid as number;
  const cpu0 = cpuSeconds(pid);
  const load0 = process.cpuUsage();
  const t0 = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = Math.min(performance.now() - t0, ms);
      const due = Math.floor((elapsed * totalRate) / 1000);
      for (; sent < due; sent++) {
        const g = groups[sent % groups.length] as readonly LoadClient[];
        (g[Math.floor(sent / groups.length) % members] as LoadClient).say(String(performance.now()));
      }
      if (elapsed < ms) return;
      clearInterval(tick);
      resolve();
    }, 1);
  });
  const expected = sent * members;
  await until(() => received >= expected, left(deadline), `${expected} deliveries`, 5);
  const wall = (lastAt - t0) / 1000;
  const load = process.cpuUsage(load0);
  return {
    deliveredPerSec: expected / wall,
    p50Ms: lat.percentile(50),
    p99Ms: lat.percentile(99),
    serverCpuPercent: ((cpuSeconds(pid) - cpu0) / wall) * 100,
    loadCpuPercent: ((load.user + load.system) / 1e6 / wall) * 100,
  };
}

/** Run one channels point against a started server; every client is closed again, also on failure. */
export async function runChannelsPoint(target: Target, p: ChannelsPoint, deadline: number): Promise<ChannelsPointResult> {
  const t0 = performance.now();
  const tag = Date.now();
  // One connect at a time: on the benchmark VM connects in batches of 200 overflowed the listen
  // queue (nstat ListenOverflows), each dropped SYN costing a 1 s retransmit (80 s for 10,000).
  const clients = await joinMany(target.port, p.channels * p.membersPer, (i) => `#curve-${tag}-${Math.floor(i / p.membersPer)}`, spreadDial(), 1);
  try {
    const groups = Array.from({ length: p.channels }, (_, c) => clients.slice(c * p.membersPer, (c + 1) * p.membersPer));
    await warmUp(groups, deadline);
    const setupSeconds = (performance.now() - t0) / 1000;
    await pump(target, groups, p.totalRate, 1_000, deadline);
    const r = await pump(target, groups, p.totalRate, p.seconds * 1_000, deadline);
    return { ...r, serverRssBytes: rssBytes(target.child.pid as number), setupSeconds };
  } finally {
    for (const c of clients) c.close();
  }
}
