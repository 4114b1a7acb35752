/** Starts and drives the userspace switch (switch-main) of a netns run. */
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import { filter, firstValueFrom, map, timeout } from 'rxjs';
import { recordPid } from '../backend/run-dir.js';
import { NetsimError } from '../errors.js';
import { spawnProcess, type HostProcess } from '../proc/host-process.js';
import { REPO_ROOT, helperMain, netsimFile, nodeCommand } from '../proc/launch.js';
import { parseEventLine } from '../runner/host-manager.js';
import type { LinkFault } from './link-model.js';

/** The perl helper that opens the TAP devices (node cannot issue TUNSETIFF). */
const TAP_OPEN = netsimFile('src/faults/tap-open.pl');

/** Nice value of the switch process (root may raise priority). @default -10 */
export const SWITCH_PRIORITY = -10;

/** The switch's whole state: directed links that are cut, and each host's outgoing impairments. */
export interface SwitchState {
  readonly cut: readonly (readonly [string, string])[];
  readonly faults: Readonly<Record<string, LinkFault>>;
}

/** A running switch. */
export interface UserspaceSwitch {
  /** Replaces the switch's state in one step; resolves once the switch applied it. */
  apply(state: SwitchState): Promise<void>;
  /** Frame counts (delivered, cut, lost, duplicated), once stopped. */
  stop(): Promise<Record<string, number> | undefined>;
}

/** Why the userspace switch cannot run here (no perl, no /dev/net/tun), or undefined. */
export function switchUnavailableReason(): string | undefined {
  if (!existsSync('/dev/net/tun')) return 'the userspace switch needs /dev/net/tun';
  if (!existsSync('/usr/bin/perl')) return 'the userspace switch needs /usr/bin/perl (to open TAP devices)';
  return undefined;
}

/**
 * Starts the switch inside `ns` (the run's bridge namespace) with one TAP device `tapNames[i]`
 * per port `ports[i]`; resolves once the devices exist. `deadlineMs` bounds the start. With
 * `captureFile`, the switch appends every frame to it (see switch-main.ts).
 */
export async function startSwitch(ns: string, ports: readonly string[], tapNames: readonly string[], runDir: string, deadlineMs: number, captureFile?: string): Promise<UserspaceSwitch> {
  const node = nodeCommand(helperMain('faults/switch-main'), ['--ports', ports.join(','), '--seed', String(process.pid), ...(captureFile !== undefined ? ['--capture', captureFile] : [])]);
  const args = ['netns', 'exec', ns, '/usr/bin/perl', TAP_OPEN, ...tapNames, '--', node.cmd, ...node.args];
  // Each port's blocking read holds a libuv pool thread: one per port, and some to spare.
  const env = { ...process.env, UV_THREADPOOL_SIZE: String(Math.min(1024, ports.length + 4)) };
  const proc: HostProcess = await spawnProcess('ip', args, { cwd: REPO_ROOT, env });
  await recordPid(runDir, proc.pid);
  // Every frame of the run passes through this one process: on a loaded box it must not be what
  // runs late (`ip netns exec`, perl and node exec in place, so the pid stays the same).
  try {
    setPriority(proc.pid, SWITCH_PRIORITY);
  } catch (e) {
    process.stderr.write(`netsim: could not raise the switch's priority: ${(e as Error).message}\n`);
  }
  const events$ = proc.lines$.pipe(
    map((l) => (l.stream === 'stdout' ? parseEventLine(l.line) : undefined)),
    filter((e) => e !== undefined),
  );
  const errors: string[] = [];
  proc.lines$.subscribe((l) => {
    if (l.stream === 'stderr') errors.push(l.line);
  });
  let summary: Record<string, number> | undefined;
  events$.subscribe((e) => {
    if (e.event === 'summary') summary = e.data as Record<string, number>;
  });
  try {
    await firstValueFrom(events$.pipe(filter((e) => e.event === 'ready'), timeout(deadlineMs)));
  } catch (e) {
    proc.signal('SIGKILL');
    throw new NetsimError('BACKEND_COMMAND', `the userspace switch did not start within ${deadlineMs} ms${errors.length ? `: ${errors.join(' ')}` : ''}`, { cause: e });
  }
  let seq = 0;
  return {
    async apply(state) {
      seq += 1;
      const mine = seq;
      const applied = firstValueFrom(events$.pipe(filter((e) => e.event === 'applied' && e.data['seq'] === mine), timeout(5_000)));
      if (!proc.writeLine(JSON.stringify({ seq: mine, cut: state.cut, faults: state.faults }))) throw new NetsimError('BACKEND_COMMAND', 'the userspace switch is gone');
      await applied.catch((e: unknown) => {
        throw new NetsimError('BACKEND_COMMAND', 'the userspace switch did not apply a change', { cause: e });
      });
    },
    async stop() {
      proc.signal('SIGTERM');
      await proc.exit;
      return summary;
    },
  };
}
