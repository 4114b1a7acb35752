/**
 * The server benchmark's workloads, each run against one target (ims server or baseline relay)
 * over loopback. Latency is measured inside this process: the post carries `performance.now()`
 * of its send, and every receiving client subtracts it on arrival.
 */
import { performance } from 'node:perf_hooks';
import { cpuSeconds, rssBytes, type Target } from './proc.js';
import { joinMany, until, type LoadClient } from './load-client.js';
import { Samples } from './stats.js';

/** Result of a fan-out run. */
export interface FanOutResult {
  readonly deliveredPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU of the target and of this load-generating process during the run, in % of one core. */
  readonly serverCpuPercent: number;
  readonly loadCpuPercent: number;
  /**
   * The target's CPU time (all its threads) per delivered message, in µs: unlike throughput this
   * holds on a busy machine, where the target's extra CPU comes out of the load generator's share.
   */
  readonly serverCpuUsPerDelivery: number;
}

/** Result of the many-channels run. */
export interface ChannelsResult {
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Server CPU use during the run, in % of one core. */
  readonly cpuPercent: number;
  readonly deliveries: number;
  /** Server CPU time per delivery, in µs (see FanOutResult). */
  readonly serverCpuUsPerDelivery: number;
  /** This load-generating process's CPU during the run, in % of one core (near 100: it bounds the latency). */
  readonly loadCpuPercent: number;
}

/** Why a warm-up may have failed: how many of `clients` the target closed, and the last ERROR one of them got. */
function closedNote(clients: readonly LoadClient[]): string {
  const closed = clients.filter((c) => c.socket.destroyed);
  if (closed.length === 0) return '';
  const error = closed.find((c) => c.lastError !== undefined)?.lastError;
  return `; ${closed.length} of ${clients.length} connections were closed${error === undefined ? '' : `, e.g. after ERROR ${error}`}`;
}

/**
 * Make sure every client has joined: each group's first client posts a token until every member of
 * the group has seen that group's latest token (posts are in order per connection, so nothing of the
 * warm-up is still in flight then), and reset the counters.
 */
async function warmUp(groups: readonly (readonly LoadClient[])[], timeoutMs = 20_000): Promise<void> {
  const all = groups.flat();
  const last = new Map<LoadClient, string>();
  for (const c of all) c.onSay = (text) => void last.set(c, text);
  const token = groups.map(() => '');
  const deadline = performance.now() + timeoutMs;
  for (let round = 0; ; round++) {
    groups.forEach((g, i) => {
      if (g.some((c) => last.get(c) !== token[i])) {
        token[i] = `warm-${round}`;
        g[0]?.say(token[i] as string);
      }
    });
    try {
      await until(() => groups.every((g, i) => g.every((c) => last.get(c) === token[i])), 1_000, 'warm-up');
      break;
    } catch (err) {
      // A JOIN still in flight missed the token (the relay keeps no history): post a new one.
      // A closed member will never see it (refused JOIN, target gone): say so now instead of at the deadline.
      if (performance.now() > deadline || all.some((c) => c.socket.destroyed)) throw new Error(`${(err as Error).message}${closedNote(all)}`);
    }
  }
  for (const c of all) {
    c.says = 0;
    c.onSay = undefined;
  }
}

function closeAll(clients: readonly LoadClient[]): void {
  for (const c of clients) c.close();
}

/** Post `posts` messages from `clients[0]`, at most `window` unechoed; resolves when all members got all (clients already joined). */
export async function pumpFanOut(pid: number, clients: readonly LoadClient[], posts: number, window: number): Promise<FanOutResult> {
  const lat = new Samples();
  let received = 0;
  for (const c of clients) {
    c.onSay = (text) => {
      lat.push(performance.now() - Number(text));
      received += 1;
    };
  }
  const sender = clients[0] as LoadClient;
  let sent = 0;
  let echoed = 0;
  const pump = (): void => {
    while (sent < posts && sent - echoed < window) {
      sender.say(String(performance.now()));
      sent += 1;
    }
  };
  const onReceive = sender.onSay;
  sender.onSay = (text) => {
    onReceive?.(text);
    echoed += 1;
    pump();
  };
  const cpu0 = cpuSeconds(pid);
  const load0 = process.cpuUsage();
  const t0 = performance.now();
  pump();
  const total = posts * clients.length;
  await until(() => received >= total, 60_000, `${total} fan-out deliveries`);
  const seconds = (performance.now() - t0) / 1000;
  const load = process.cpuUsage(load0);
  const serverCpu = cpuSeconds(pid) - cpu0;
  return {
    deliveredPerSec: total / seconds,
    p50Ms: lat.percentile(50),
    p99Ms: lat.percentile(99),
    serverCpuPercent: (serverCpu / seconds) * 100,
    loadCpuPercent: ((load.user + load.system) / 1e6 / seconds) * 100,
    serverCpuUsPerDelivery: (serverCpu / total) * 1e6,
  };
}

/**
 * One sender posts `posts` messages, at most `window` unechoed, to a channel of `members` (sender
 * included), after an unmeasured run of a fifth of that so both targets are JIT-warm.
 */
export async function fanOut(target: Target, members: number, posts: number, window = 64): Promise<FanOutResult> {
  const channel = `#fan-${members}-${Date.now()}`;
  const clients = await joinMany(target.port, members, () => channel, target.dial);
  try {
    await warmUp([clients]);
    const pid = target.child.pid as number;
    await pumpFanOut(pid, clients, Math.ceil(posts / 5), window);
    return await pumpFanOut(pid, clients, posts, window);
  } finally {
    closeAll(clients);
  }
}

/** Post at `ratePerChannel` in every group for `durationMs`; resolves once every post reached every member. */
async function pumpChannels(
  target: Target,
  groups: readonly (readonly LoadClient[])[],
  ratePerChannel: number,
  durationMs: number,
): Promise<ChannelsResult> {
  const clients = groups.flat();
  const lat = new Samples();
  let received = 0;
  for (const c of clients) {
    c.onSay = (text) => {
      lat.push(performance.now() - Number(text));
      received += 1;
    };
  }
  const sentPer = new Array<number>(groups.length).fill(0);
  const pid = target.child.pid as number;
  const cpu0 = cpuSeconds(pid);
  const load0 = process.cpuUsage();
  const t0 = performance.now();
  // Every tick sends what each channel is due by now, from a rotating member.
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = Math.min(performance.now() - t0, durationMs);
      groups.forEach((g, c) => {
        // Channel c is phase-shifted by c/channels of a period, so posts are spread evenly instead of
        // every channel posting in the same tick (which would measure a self-made burst).
        const due = Math.floor((elapsed * ratePerChannel) / 1000 + c / groups.length);
        while ((sentPer[c] as number) < due) {
          const n = sentPer[c] as number;
          (g[n % g.length] as LoadClient).say(String(performance.now()));
          sentPer[c] = n + 1;
        }
      });
      if (elapsed >= durationMs) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  const expected = groups.reduce((sum, g, c) => sum + (sentPer[c] as number) * g.length, 0);
  await until(() => received >= expected, 30_000, `${expected} deliveries`);
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  const load = process.cpuUsage(load0);
  return {
    p50Ms: lat.percentile(50),
    p99Ms: lat.percentile(99),
    cpuPercent: (cpu / wall) * 100,
    deliveries: expected,
    serverCpuUsPerDelivery: (cpu / expected) * 1e6,
    loadCpuPercent: ((load.user + load.system) / 1e6 / wall) * 100,
  };
}

/**
 * `channels` channels of `membersPer` members; each channel gets `ratePerChannel` posts/s for
 * `durationMs`, after an unmeasured second at the same rate so both targets are JIT-warm.
 */
export async function manyChannels(
  target: Target,
  channels: number,
  membersPer: number,
  ratePerChannel: number,
  durationMs: number,
): Promise<ChannelsResult> {
  const tag = Date.now();
  const clients = await joinMany(target.port, channels * membersPer, (i) => `#ch-${tag}-${Math.floor(i / membersPer)}`, target.dial);
  const groups = Array.from({ length: channels }, (_, c) => clients.slice(c * membersPer, (c + 1) * membersPer));
  try {
    await warmUp(groups);
    await pumpChannels(target, groups, ratePerChannel, 1_000);
    return await pumpChannels(target, groups, ratePerChannel, durationMs);
  } finally {
    closeAll(clients);
  }
}

/** Server RSS growth per connection with `count` idle clients spread over `channels` channels. */
export async function idleRss(target: Target, count: number, channels: number): Promise<number> {
  const pid = target.child.pid as number;
  const before = rssBytes(pid);
  const tag = Date.now();
  const per = Math.ceil(count / channels);
  const clients = await joinMany(target.port, count, (i) => `#idle-${tag}-${Math.floor(i / per)}`, target.dial);
  try {
    const groups = Array.from({ length: channels }, (_, c) => clients.slice(c * per, (c + 1) * per)).filter((g) => g.length > 0);
    await warmUp(groups);
    return (rssBytes(pid) - before) / count;
  } finally {
    closeAll(clients);
  }
}
