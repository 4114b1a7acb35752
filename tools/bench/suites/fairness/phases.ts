/**
 * One phase of the fairness benchmark: a fresh channel server with its default limits, a quiet
 * channel measured by clients in this process, and optionally an attacker process beside it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { joinMany, until, type LoadClient } from '../server/load-client.js';
import { cpuSeconds, scrapeFanoutP99Ms, startTarget, stopTarget, type Target } from '../server/proc.js';
import { Samples } from '../server/stats.js';

/** Where the sources are, and how node runs them. */
export interface Paths {
  readonly root: string;
  readonly here: string;
  readonly tsx: readonly string[];
}

/** What runs beside the quiet channel. */
export interface Attack {
  readonly mode: 'flood' | 'crowd';
  readonly connections: number;
  /** Source addresses the connections come from (127.0.0.2 onwards). */
  readonly addresses: number;
}

/** The quiet channel's latency in one phase. */
export interface PhaseResult {
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Deliveries to the quiet members that never came within the wait. */
  readonly missing: number;
  /** Server CPU during the measured window, in % of one core. */
  readonly serverCpuPercent: number;
  /** The server's own fan-out p99 over the phase, every channel's posts (its /metrics histogram, bucket bound). */
  readonly serverP99Ms: number;
  /** The attacker's counters (connects, closes, bytes read, frames sent), if there was one. */
  readonly attacker: Record<string, number> | undefined;
}

const QUIET_MEMBERS = 5;
/**
 * Posts a second into the quiet channel, rotating over its members (40 each: under every budget).
 * Every post reaches all 5 members at once, so a p99 is set by the slowest few posts: 1,000 posts
 * in 5 s make it the 10th slowest, not one hiccup of the box.
 */
const QUIET_RATE = 200;

/**
 * The budgets issue 11 added, lifted: what a server with only its per-connection limits does
 * (the comparison the suite prints next to the defaults).
 */
export const PER_CONNECTION_ONLY: readonly string[] = [
  ...['--flood-rate-per-ip', '1000000', '--flood-burst-per-ip', '1000000', '--connection-rate-per-ip', '1000000'],
  ...['--connection-burst-per-ip', '1000000', '--fanout-rate-per-channel', '1000000000', '--fanout-burst-per-channel', '1000000000'],
];

/** Starts the channel server with its default limits (only ports and the data dir set), and `extra` flags. */
function startServer(paths: Paths, dataDir: string, extra: readonly string[]): Promise<Target> {
  const flags = [
    ...['--port', '0', '--data-dir', dataDir, '--http-port', '0'],
    // Error level: the attacks' warn lines would cost this process (which reads them) its timing.
    ...['--log-level', 'error', '--discovery-port', String(41_000 + Math.floor(Math.random() * 8_000))],
    ...extra,
  ];
  return startTarget('ims', [...paths.tsx, join(paths.root, 'apps/channel-server/src/main.ts'), ...flags], paths.root);
}

/** Spawns the attacker and resolves once all its connections got a reply. */
function startAttacker(paths: Paths, port: number, a: Attack): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...paths.tsx, join(paths.here, 'fairness/attacker.ts'), String(port), a.mode, String(a.connections), String(a.addresses)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // On a LAN the attacker is another machine: at the lowest priority, its own CPU use (reading the
  // fan-out it gets) does not take this box's cores from the server and the quiet clients.
  if (child.pid !== undefined) setPriority(child.pid, 19);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('attacker not ready within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`attacker exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', () => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(child);
    });
  });
}

/** Stops the attacker and reads its last line (its counters). */
async function stopAttacker(child: ChildProcess): Promise<Record<string, number> | undefined> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const last = new Promise<Record<string, number> | undefined>((resolve) => {
    lines.on('line', (l) => {
      const m = JSON.parse(l) as { event?: string } & Record<string, number>;
      if (m.event === 'stats') resolve(m);
    });
    child.once('exit', () => resolve(undefined));
  });
  child.kill('SIGTERM');
  const stats = await last;
  if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
  return stats;
}

/** Every quiet member has seen a post of the current round. */
async function warmUp(clients: readonly LoadClient[]): Promise<void> {
  const seen = new Set<LoadClient>();
  for (const c of clients) c.onSay = () => void seen.add(c);
  for (let round = 0; seen.size < clients.length; round++) {
    if (round > 20) throw new Error('the quiet channel did not warm up');
    (clients[0] as LoadClient).say(`warm-${round}`);
    await until(() => seen.size === clients.length, 1_000, 'quiet warm-up').catch(() => undefined);
  }
}

/** Posts into the quiet channel for `ms` and collects every member's delivery latency. */
async function measureQuiet(clients: readonly LoadClient[], ms: number): Promise<{ lat: Samples; missing: number }> {
  const lat = new Samples();
  let received = 0;
  for (const c of clients) {
    c.onSay = (text) => {
      lat.push(performance.now() - Number(text));
      received++;
    };
  }
  let sent = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.floor(((Math.min(performance.now() - t0, ms)) * QUIET_RATE) / 1000);
      for (; sent < due; sent++) (clients[sent % clients.length] as LoadClient).say(String(performance.now()));
      if (performance.now() - t0 >= ms) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  const expected = sent * clients.length;
  await until(() => received >= expected, 20_000, 'quiet deliveries').catch(() => undefined);
  return { lat, missing: expected - received };
}

/** Runs one phase: server (with `flags`), quiet channel, optional attack (given `settleMs` to get going), then `ms` measured. */
export async function runPhase(paths: Paths, attack: Attack | undefined, ms: number, flags: readonly string[] = [], settleMs = 1_000): Promise<PhaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ims-fair-'));
  const server = await startServer(paths, dir, flags);
  let attacker: ChildProcess | undefined;
  let clients: LoadClient[] = [];
  try {
    clients = await joinMany(server.port, QUIET_MEMBERS, () => '#quiet', undefined);
    await warmUp(clients);
    if (attack) attacker = await startAttacker(paths, server.port, attack);
    await new Promise((r) => setTimeout(r, settleMs));
    const pid = server.child.pid as number;
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    const { lat, missing } = await measureQuiet(clients, ms);
    const cpu = ((cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000)) * 100;
    const serverP99Ms = server.httpPort === undefined ? Number.NaN : await scrapeFanoutP99Ms(server.httpPort);
    const stats = attacker && (await stopAttacker(attacker));
    attacker = undefined;
    return { p50Ms: lat.percentile(50), p99Ms: lat.percentile(99), missing, serverCpuPercent: cpu, serverP99Ms, attacker: stats };
  } finally {
    for (const c of clients) c.close();
    if (attacker) attacker.kill('SIGKILL');
    await stopTarget(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
