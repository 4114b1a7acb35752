/**
 * Child processes for the server benchmark: start a target, wait for its `listening` line, read
 * its CPU time and RSS from /proc, stop it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Dial } from './load-client.js';

/** A target process listening on loopback. */
export interface Target {
  readonly name: string;
  readonly port: number;
  /** Port of the target's /metrics endpoint, if it has one. */
  readonly httpPort: number | undefined;
  readonly child: ChildProcess;
  /** Lines of stderr that were not the listening line (kept for error reports). */
  readonly log: string[];
  /** How load clients connect and join a channel, when not with the ims wire format (NATS). */
  readonly dial?: Dial;
}

/** Start `node <args>` and resolve once it prints `{"event":"listening",...,"port":N}` on stderr. */
export function startTarget(name: string, args: readonly string[], cwd: string, timeoutMs = 20_000): Promise<Target> {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  return new Promise<Target>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not listen within ${timeoutMs} ms:\n${log.join('\n')}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening:\n${log.join('\n')}`));
    });
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      let msg: { event?: unknown; port?: unknown; httpPort?: unknown } | undefined;
      try {
        msg = JSON.parse(line) as { event?: unknown; port?: unknown; httpPort?: unknown };
      } catch {
        msg = undefined;
      }
      if (msg?.event === 'listening' && typeof msg.port === 'number') {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ name, port: msg.port, httpPort: typeof msg.httpPort === 'number' ? msg.httpPort : undefined, child, log });
      } else if (log.length < 200) log.push(line);
    });
  });
}

/** Stop a target with SIGTERM (SIGKILL after `graceMs`) and wait for it to exit. */
export async function stopTarget(t: Target, graceMs = 5_000): Promise<void> {
  if (t.child.exitCode !== null || t.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => t.child.once('exit', () => resolve()));
  t.child.kill('SIGTERM');
  const timer = setTimeout(() => t.child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** `pid` and its live descendants (the workers of a `channel-server --workers N`), from /proc's children lists. */
function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    const p = tree[i] as number;
    let children = '';
    try {
      children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8');
    } catch (err) {
      // Gone meanwhile, or a kernel without CONFIG_PROC_CHILDREN: count what we have.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const c of children.split(' ')) if (c.trim() !== '') tree.push(Number(c));
  }
  return tree;
}

/** User + system CPU seconds the process and its children (workers) have used so far (Linux /proc). */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(rest[11]) + Number(rest[12]);
  }
  return ticks / 100; // USER_HZ is 100 on Linux.
}

/** Resident set size of the process and its children (workers) in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  let bytes = 0;
  for (const p of processTree(pid)) {
    const status = readFileSync(`/proc/${p}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    bytes += m ? Number(m[1]) * 1024 : Number.NaN;
  }
  return bytes;
}

/**
 * The p99 of the fan-out histogram in a /metrics body, in ms: the upper bound of the first bucket
 * holding 99% of the samples (NaN without samples).
 */
export function fanoutP99MsOf(metricsText: string): number {
  const buckets = [...metricsText.matchAll(/^ims_fanout_latency_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map((m) => ({
    le: m[1] === '+Inf' ? Infinity : Number(m[1]),
    count: Number(m[2]),
  }));
  const total = buckets.at(-1)?.count ?? 0;
  const hit = buckets.find((b) => b.count >= 0.99 * total);
  return total === 0 || hit === undefined ? Number.NaN : hit.le * 1000;
}

/** The server's own p99 fan-out latency (decode of a SAY to its fan-out queued), scraped from its /metrics. */
export async function scrapeFanoutP99Ms(httpPort: number): Promise<number> {
  return fanoutP99MsOf(await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text());
}
