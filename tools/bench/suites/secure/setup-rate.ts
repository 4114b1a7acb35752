/**
 * Connection set-up rate: members connect (TCP, or TCP + TLS 1.3 handshake), JOIN, wait for the
 * server's first frame (so the server has accepted the connection and taken the JOIN) and close,
 * with a fixed number in flight. The server's CPU per set-up holds on a busy machine, where the
 * rate does not (the load side's half of each handshake runs on the same cores).
 */
import { performance } from 'node:perf_hooks';
import type { Dial, LoadClient } from '../server/load-client.js';
import { cpuSeconds, type Target } from '../server/proc.js';
import { Samples } from '../server/stats.js';

/** Result of a set-up run. */
export interface SetupResult {
  /** Set-ups completed per second of wall time. */
  readonly perSec: number;
  /** Connect to the server's first frame, per set-up. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The server's CPU time per set-up (accept, handshake, JOIN, close), in µs. */
  readonly serverCpuUsPerSetup: number;
  /** This process's CPU during the run, in % of one core. */
  readonly loadCpuPercent: number;
}

/** Resolve at `client`'s first frame; reject when its socket closes first or after `timeoutMs`. */
function firstFrame(client: LoadClient, timeoutMs: number): Promise<void> {
  if (client.frames > 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      clearTimeout(timer);
      client.onFrame = undefined;
      client.socket.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onClose = (): void => done(new Error(`${client.id}: closed before any frame${client.lastError ? ` (ERROR ${client.lastError})` : ''}`));
    const timer = setTimeout(() => done(new Error(`${client.id}: no frame within ${timeoutMs} ms of its JOIN`)), timeoutMs);
    client.onFrame = () => done();
    client.socket.once('close', onClose);
  });
}

/**
 * A set-up of each of `names`, `parallel` in flight, spread over `channels` channels, after an
 * unmeasured run of the first fifth of them so the server's handshake and JOIN paths are JIT-warm.
 */
export async function setupRate(target: Target, dial: Dial, names: readonly string[], parallel: number, channels = 10): Promise<SetupResult> {
  await setupRun(target, dial, names.slice(0, Math.ceil(names.length / 5)), parallel, channels);
  return setupRun(target, dial, names, parallel, channels);
}

async function setupRun(target: Target, dial: Dial, names: readonly string[], parallel: number, channels: number): Promise<SetupResult> {
  const pid = target.child.pid as number;
  const tag = Date.now();
  const lat = new Samples();
  let next = 0;
  const one = async (i: number): Promise<void> => {
    const t0 = performance.now();
    const client = await dial(target.port, `#setup-${tag}-${i % channels}`, names[i] as string);
    try {
      await firstFrame(client, 10_000);
      lat.push(performance.now() - t0);
    } finally {
      client.close();
    }
  };
  const lane = async (): Promise<void> => {
    while (next < names.length) await one(next++);
  };
  const cpu0 = cpuSeconds(pid);
  const load0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: parallel }, lane));
  const seconds = (performance.now() - t0) / 1000;
  const load = process.cpuUsage(load0);
  const serverCpu = cpuSeconds(pid) - cpu0;
  return {
    perSec: names.length / seconds,
    p50Ms: lat.percentile(50),
    p99Ms: lat.percentile(99),
    serverCpuUsPerSetup: (serverCpu / names.length) * 1e6,
    loadCpuPercent: ((load.user + load.system) / 1e6 / seconds) * 100,
  };
}
