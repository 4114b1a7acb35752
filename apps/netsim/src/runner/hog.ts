/**
 * The `hog` step: busy-loop processes that starve the CPU, so the apps' timers run late (the
 * false-suspicion case of docs/protocol.md §4). Each one ends by itself after its time, and the
 * run kills what is left at teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { recordPid } from '../backend/run-dir.js';
import { REPO_ROOT } from '../proc/launch.js';
import type { EventLog } from './event-log.js';
import type { BackgroundTask } from './background.js';

/**
 * Spins until its deadline (argv[1], ms since epoch). The second argument only names this
 * repository on the command line, so a later run's sweep may kill a leftover hog.
 */
const HOG_CODE = 'const end = Number(process.argv[1]); while (Date.now() < end) {}';

/** Starts `procs` (@default the machine's cores) busy loops for `ms`. */
export async function startHog(log: EventLog, runDir: string, ms: number, procs = availableParallelism()): Promise<BackgroundTask> {
  const end = Date.now() + ms;
  const children: ChildProcess[] = [];
  const exits: Promise<void>[] = [];
  for (let i = 0; i < procs; i++) {
    const child = spawn(process.execPath, ['-e', HOG_CODE, String(end), join(REPO_ROOT, 'apps/netsim/hog')], { stdio: 'ignore' });
    children.push(child);
    exits.push(new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    }));
    if (child.pid !== undefined) await recordPid(runDir, child.pid);
  }
  log.push('cpu', 'netsim', 'hog', { procs, ms, pids: children.map((c) => c.pid) });
  const done = Promise.all(exits).then(() => {
    log.push('cpu', 'netsim', 'hog-end', { procs });
    return undefined;
  });
  return {
    done,
    awaitAtEnd: false,
    async stop() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await done;
    },
  };
}
