/**
 * Run identity and leftovers. Everything a run creates is named `imsns-<pid>-<n>`, so a later run
 * can tell a dead run's leftovers (its pid is gone) from a live one's, and remove them.
 */
import { mkdir, readdir, readFile, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepCgroups } from '../faults/cpu-starve.js';
import { mountsUnder, unmountSmallDisk } from '../faults/disk.js';

/** Prefix of every run id. */
export const RUN_PREFIX = 'imsns-';
const RUN_ID = /^imsns-(\d+)-/;
let seq = 0;

/** A fresh run id for this process. */
export function newRunId(): string {
  seq += 1;
  return `${RUN_PREFIX}${process.pid}-${seq}`;
}

/** Whether the process `pid` still exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid that created `name`, when `name` is a run id (or starts with one). */
export function ownerPid(name: string): number | undefined {
  const m = RUN_ID.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Creates the run's scratch folder (data dirs, logs, pid list). */
export async function makeRunDir(runId: string, base = tmpdir()): Promise<string> {
  const dir = join(base, runId);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Records a child pid, so a later run can stop it if this run dies without cleaning up. */
export async function recordPid(runDir: string, pid: number): Promise<void> {
  await appendFile(join(runDir, 'pids'), `${pid}\n`);
}

/**
 * Removes the scratch folders of dead runs and stops their processes. A pid is only killed when
 * its command line still names `marker` (the repo path), so a reused pid is left alone.
 */
export async function sweepRunDirs(marker: string, base = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(base).catch(() => [] as string[])) {
    const owner = ownerPid(name);
    if (owner === undefined || pidAlive(owner)) continue;
    const dir = join(base, name);
    const pids = (await readFile(join(dir, 'pids'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
    for (const pid of pids) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes(marker)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch (e) {
          process.stderr.write(`netsim: could not stop stale pid ${pid}: ${(e as Error).message}\n`);
        }
      }
    }
    // A data dir that was a small disk of its own is still mounted when its run was killed.
    for (const m of await mountsUnder(`${dir}/`)) await unmountSmallDisk(m);
    await rm(dir, { recursive: true, force: true });
    removed.push(name);
  }
  await sweepCgroups((name) => {
    const owner = ownerPid(name);
    return owner !== undefined && !pidAlive(owner);
  });
  return removed;
}
