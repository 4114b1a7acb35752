/**
 * CPU starvation of one host (docs/protocol.md §4: a host too slow to announce in time looks
 * dead). As root with a writable cgroup tree: a CPU quota (`cpu.cfs_quota_us` in cgroup v1,
 * `cpu.max` in v2) on a cgroup holding the host's processes and a busy loop, which spends the
 * quota at the start of each period (an idle host alone would never reach it), so the host
 * runs in short bursts and stalls for the rest of each second. Otherwise (unprivileged) the same
 * pattern by signals: SIGCONT for the host's share of each second, SIGSTOP for the rest.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordPid } from '../backend/run-dir.js';
import { REPO_ROOT } from '../proc/launch.js';
import type { BackgroundTask } from '../runner/background.js';
import type { EventLog } from '../runner/event-log.js';

/** The CFS period a quota is a share of, µs: a long one (the most allowed), so a starved host stalls for most of a second at a time, as on an overloaded box, instead of running slowly but evenly. */
const PERIOD_US = 1_000_000;
const V1 = '/sys/fs/cgroup/cpu';
const V2 = '/sys/fs/cgroup';

/** Where a CPU cgroup can be made, or undefined (not root, no cpu controller). */
function cgroupRoot(): { dir: string; v2: boolean } | undefined {
  // NETSIM_STARVE=signals picks the unprivileged way even as root (to try it).
  if (process.getuid?.() !== 0 || process.env['NETSIM_STARVE'] === 'signals') return undefined;
  if (existsSync(join(V1, 'cpu.cfs_quota_us'))) return { dir: V1, v2: false };
  if (existsSync(join(V2, 'cgroup.controllers'))) return { dir: V2, v2: true };
  return undefined;
}

/** `pid` and every process below it (a server's workers). */
async function withDescendants(pid: number): Promise<number[]> {
  const parent = new Map<number, number>();
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const stat = await readFile(`/proc/${d}/stat`, 'utf8').catch(() => '');
    // Field 4 (ppid) comes after the command in parentheses, which may hold spaces.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isFinite(ppid)) parent.set(Number(d), ppid);
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [c, p] of parent) if (p === out[i]) out.push(c);
  return out;
}

/** Starves `pid` (and its children) to `cpuPercent` of one core for `ms`; ends by itself. */
export async function startStarve(log: EventLog, host: string, pid: number, cpuPercent: number, ms: number, group: string, runDir: string): Promise<BackgroundTask> {
  const root = cgroupRoot();
  const pids = await withDescendants(pid);
  // The end time is argv[1]; the repository path only marks it for a later run's sweep.
  const code = 'const end = Number(process.argv[1]); while (Date.now() < end) {}';
  const hogArgs = [process.execPath, '-e', code, String(Date.now() + ms), join(REPO_ROOT, 'apps/netsim/hog')];
  let undo: () => Promise<void>;
  let mechanism: string;
  if (root) {
    const hog = spawn(hogArgs[0] as string, hogArgs.slice(1), { stdio: 'ignore' });
    if (hog.pid !== undefined) await recordPid(runDir, hog.pid);
    const hogDone = new Promise<void>((resolve) => hog.once('exit', () => resolve()).once('error', () => resolve()));
    const stopHog = async (): Promise<void> => {
      hog.kill('SIGKILL');
      await hogDone;
    };
    const dir = join(root.dir, group);
    await mkdir(dir, { recursive: true });
    const quota = Math.max(1_000, Math.round((PERIOD_US * cpuPercent) / 100));
    if (root.v2) await writeFile(join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`);
    else {
      await writeFile(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      await writeFile(join(dir, 'cpu.cfs_quota_us'), String(quota));
    }
    for (const p of [...pids, hog.pid ?? 0]) await writeFile(join(dir, 'cgroup.procs'), String(p)).catch(() => undefined);
    mechanism = `cgroup ${root.v2 ? 'v2 cpu.max' : 'v1 cpu.cfs_quota_us'} ${quota}/${PERIOD_US} shared with a busy loop`;
    undo = async () => {
      await stopHog();
      const stat = await readFile(join(dir, 'cpu.stat'), 'utf8').catch(() => '');
      log.push(host, 'netsim', 'starve-stat', Object.fromEntries(stat.split('\n').filter(Boolean).map((l) => [l.split(' ')[0], Number(l.split(' ')[1])])));
      const left = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
      for (const p of left) await writeFile(join(root.dir, 'cgroup.procs'), p).catch(() => undefined);
      await rmdir(dir).catch((e: unknown) => process.stderr.write(`netsim: cannot remove cgroup ${dir}: ${(e as Error).message}\n`));
    };
  } else {
    // Unprivileged: the same pattern by signals, SIGCONT for the share of each period, then SIGSTOP.
    const runMs = Math.max(10, (PERIOD_US / 1000) * (cpuPercent / 100));
    const each = (sig: NodeJS.Signals): void => pids.forEach((p) => signalQuietly(p, sig));
    let stopTimer: NodeJS.Timeout | undefined;
    const cycle = (): void => {
      each('SIGCONT');
      stopTimer = setTimeout(() => each('SIGSTOP'), runMs);
    };
    cycle();
    const period = setInterval(cycle, PERIOD_US / 1000);
    mechanism = `SIGCONT for ${runMs} ms, then SIGSTOP, every ${PERIOD_US / 1000} ms`;
    undo = () => {
      clearInterval(period);
      clearTimeout(stopTimer);
      each('SIGCONT');
      return Promise.resolve();
    };
  }
  log.push(host, 'netsim', 'starve', { cpuPercent, ms, mechanism, pids });
  let resolveDone: () => void = () => undefined;
  const done = new Promise<undefined>((resolve) => (resolveDone = () => resolve(undefined)));
  let ended: Promise<void> | undefined;
  const end = (): Promise<void> => {
    ended ??= (async () => {
      clearTimeout(timer);
      await undo();
      log.push(host, 'netsim', 'starve-end');
      resolveDone();
    })();
    return ended;
  };
  const timer = setTimeout(() => void end(), ms);
  // Like a hog, starvation ends with the timeline: the final checks see a host at full speed.
  return { done, awaitAtEnd: false, stop: end };
}

/** Signals `pid`, which may have exited meanwhile (then there is nothing to starve). */
function signalQuietly(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') process.stderr.write(`netsim: ${sig} to ${pid}: ${(e as Error).message}\n`);
  }
}

/** Removes the CPU cgroups of dead runs (named after their run id), returning their processes to the root. */
export async function sweepCgroups(isStale: (name: string) => boolean): Promise<string[]> {
  const root = cgroupRoot();
  if (!root) return [];
  const removed: string[] = [];
  for (const name of await readdir(root.dir).catch(() => [] as string[])) {
    if (!isStale(name)) continue;
    const dir = join(root.dir, name);
    const left = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    for (const p of left) await writeFile(join(root.dir, 'cgroup.procs'), p).catch(() => undefined);
    await rmdir(dir).then(
      () => removed.push(name),
      (e: unknown) => process.stderr.write(`netsim: cannot remove stale cgroup ${dir}: ${(e as Error).message}\n`),
    );
  }
  return removed;
}
