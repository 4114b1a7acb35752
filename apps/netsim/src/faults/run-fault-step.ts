/** Executes the network and process fault steps of a timeline (see fault-steps.ts). */
import type { Step } from '../scenario/types.js';
import type { CheckOutcome } from '../runner/result.js';
import type { StepContext } from '../runner/steps.js';
import { startStarve } from './cpu-starve.js';
import { fillDisk, freeDisk } from './disk.js';
import { jumpClock } from './clock.js';

/** The steps run here. */
export type FaultKindStep = Extract<Step, { kind: 'partition' | 'heal' | 'netem' | 'cut' | 'starve' | 'diskFull' | 'diskFree' | 'clock' }>;

const failed = (step: Step, problems: string[]): CheckOutcome => ({ name: `${step.kind} (line ${step.line})`, line: step.line, ok: false, problems });

/** Runs one fault step; resolves with a failed check when it could not be done. */
export async function runFaultStep(step: FaultKindStep, ctx: StepContext): Promise<CheckOutcome | undefined> {
  const { backend, log, hosts } = ctx;
  switch (step.kind) {
    case 'partition':
      log.push('net', 'netsim', 'partition', { groups: step.groups, network: backend.network });
      await backend.partition(step.groups);
      return undefined;
    case 'cut':
      log.push('net', 'netsim', 'partition', { from: step.from, to: step.to, oneWay: true, network: backend.network });
      await backend.cut(step.from, step.to);
      return undefined;
    case 'heal':
      log.push('net', 'netsim', 'heal', { network: backend.network });
      await backend.heal();
      return undefined;
    case 'netem':
      log.push('net', 'netsim', 'netem', { hosts: step.hosts, ...step.fault, network: backend.network });
      await backend.impair(step.hosts, step.fault);
      return undefined;
    case 'starve':
      for (const h of step.hosts) {
        const pid = hosts.pidOf(h);
        if (pid === undefined) return failed(step, [`${h} is not running`]);
        const group = `${backend.runId}-${h}`;
        ctx.background.add(await startStarve(log, h, pid, step.cpuPercent, step.intervals * ctx.scenario.announceIntervalMs, group, ctx.runDir));
      }
      return undefined;
    case 'diskFull':
    case 'diskFree':
      for (const h of step.hosts) {
        const dir = hosts.smallDiskOf(h);
        if (dir === undefined) return failed(step, [`${h} has no data dir of its own to fill (it needs dataDir: true)`]);
        if (step.kind === 'diskFull') log.push(h, 'netsim', 'disk-full', { ballastBytes: await fillDisk(dir) });
        else {
          await freeDisk(dir);
          log.push(h, 'netsim', 'disk-free');
        }
      }
      return undefined;
    case 'clock':
      for (const h of step.hosts) {
        const offset = await jumpClock(ctx.runDir, h, step.jumpMs);
        if (!hosts.signal(h, 'SIGUSR2', false)) return failed(step, [`${h} is not running`]);
        log.push(h, 'netsim', 'clock', { jumpMs: step.jumpMs, offsetMs: offset });
      }
      return undefined;
  }
}
