/** Leftovers of a killed run (scratch folder, processes, namespaces) are removed by a later run. */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { netnsUnavailableReason, sweepNamespaces } from '../src/backend/netns.js';
import { pidAlive, sweepRunDirs } from '../src/backend/run-dir.js';
import { REPO_ROOT } from '../src/proc/launch.js';

/** The pid of a process that has already exited: the owner of a "killed" run. */
async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => p.once('exit', resolve));
  return p.pid ?? 0;
}

const netnsReason = await netnsUnavailableReason();
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

describe('sweep of dead runs', () => {
  it('stops the processes of a dead run and removes its folder, leaving live runs alone', async () => {
    const base = await mkdtemp(join(tmpdir(), 'netsim-sweep-'));
    cleanup.push(() => rm(base, { recursive: true, force: true }));
    // A leftover host: its command line names the repo, as every netsim child's does.
    const orphan = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', REPO_ROOT], { stdio: 'ignore' });
    cleanup.push(async () => void orphan.kill('SIGKILL'));
    const exited = new Promise((resolve) => orphan.once('exit', resolve));
    const dead = join(base, `imsns-${await deadPid()}-1`);
    await mkdir(dead);
    await writeFile(join(dead, 'pids'), `${orphan.pid}\n`);
    const live = join(base, `imsns-${process.pid}-99`);
    await mkdir(live);

    const removed = await sweepRunDirs(REPO_ROOT, base);
    expect(removed).toEqual([dead.slice(base.length + 1)]);
    await exited;
    expect(pidAlive(orphan.pid ?? 0)).toBe(false);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it('never kills a listed pid whose command line is not ours', async () => {
    const base = await mkdtemp(join(tmpdir(), 'netsim-sweep-'));
    cleanup.push(() => rm(base, { recursive: true, force: true }));
    const stranger = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    cleanup.push(async () => void stranger.kill('SIGKILL'));
    const dead = join(base, `imsns-${await deadPid()}-1`);
    await mkdir(dead);
    await writeFile(join(dead, 'pids'), `${stranger.pid}\n`);
    await sweepRunDirs(REPO_ROOT, base);
    expect(pidAlive(stranger.pid ?? 0)).toBe(true);
  });

  it.skipIf(netnsReason !== undefined)('deletes namespaces of dead runs (root only)', async () => {
    const ns = `imsns-${await deadPid()}-1-br`;
    execFileSync('ip', ['netns', 'add', ns]);
    const swept = await sweepNamespaces();
    expect(swept).toContain(ns);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(ns);
  });
});
