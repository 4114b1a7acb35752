/** Executes one timeline step. A step that cannot do its job returns a failed check. */
import { timer, firstValueFrom, fromEvent, race, of } from 'rxjs';
import type { Backend } from '../backend/types.js';
import { clientView, type SimEvent } from '../checks/log.js';
import { hostOfChannel, standbyOfChannel } from '../checks/roles.js';
import type { Scenario, Step } from '../scenario/types.js';
import type { Background } from './background.js';
import type { EventLog } from './event-log.js';
import { runFaultStep } from '../faults/run-fault-step.js';
import { startHog } from './hog.js';
import { startPacedSay } from './paced-say.js';
import { typePost } from './post-text.js';
import type { HostManager } from './host-manager.js';
import type { CheckOutcome } from './result.js';
import { waitFor } from './wait-for.js';
import { runLobbyStep } from './lobby-step.js';
import type { AppMains } from '../proc/launch.js';
import type { SecureRun } from '../secure/secure-run.js';

/** Least time a server gets to print `listening` (process start includes loading TypeScript). @default 20000 */
export const MIN_STARTUP_MS = 20_000;

/**
 * How long a process (server, hostile peer, wire recorder, switch) may take to be ready: the
 * scenario's `startupTimeout`, else 40 intervals but at least MIN_STARTUP_MS.
 */
export function startupDeadlineMs(scenario: Scenario): number {
  return scenario.startupTimeoutMs ?? Math.max(MIN_STARTUP_MS, 40 * scenario.announceIntervalMs);
}

/** What a step needs from its run. */
export interface StepContext {
  readonly scenario: Scenario;
  readonly backend: Backend;
  readonly log: EventLog;
  readonly hosts: HostManager;
  readonly channelOf: ReadonlyMap<string, string>;
  readonly signal: AbortSignal;
  /** Jobs that go on after their step (paced says, hogs). */
  readonly background: Background;
  /** The run's scratch folder (pid list). */
  readonly runDir: string;
  /** The run's discovery port. */
  readonly discoveryPort: number;
  /** The apps' entry points (a `lobby` step runs the client's). */
  readonly apps: AppMains;
  /** Secure mode's files and peer IDs, when the run has secure hosts. */
  readonly secure?: SecureRun;
}

const failed = (step: Step, name: string, problems: string[]): CheckOutcome => ({ name, line: step.line, ok: false, problems });

/** Sleeps for `ms` unless aborted (a `pause` step is part of the scenario, not synchronisation). */
function pause(ms: number, signal: AbortSignal): Promise<unknown> {
  return firstValueFrom(race(timer(ms), signal.aborted ? of(0) : fromEvent(signal, 'abort')));
}

/** Starts hosts; servers and hostile peers are awaited until they print `listening`. */
async function startHosts(step: Step, names: readonly string[], ctx: StepContext): Promise<CheckOutcome | undefined> {
  const { scenario, log, hosts, channelOf, signal } = ctx;
  // Spawned together: start-up overlaps instead of adding up.
  await Promise.all(names.map((name) => hosts.start(name)));
  const servers = names.filter((n) => scenario.hosts.get(n)?.kind !== 'client');
  if (servers.length === 0) return undefined;
  const within = startupDeadlineMs(scenario);
  // A process that dies while starting fails the step at once, instead of at the deadline.
  const died = servers.map(async (s) => {
    await hosts.exited(s);
    return { ok: false, detail: `${s} exited before it was listening` };
  });
  const r = await Promise.race([waitFor(log, { kind: 'listening', hosts: servers }, channelOf, within, signal), ...died]);
  return r.ok ? undefined : failed(step, `start (line ${step.line})`, [r.detail]);
}

/** The standby the host last named to `client` (a `standby` event), or undefined for none. */
export function standbyOf(events: readonly SimEvent[], client: string): string | undefined {
  const start = clientView(events, client).startIndex;
  for (let i = events.length - 1; i > start; i--) {
    const e = events[i] as SimEvent;
    if (e.host !== client || e.source !== 'app' || e.event !== 'standby') continue;
    // docs/protocol.md §5.1: a host naming itself as standby means it has none.
    return typeof e.data['standby'] === 'string' && e.data['standby'] !== e.data['host'] ? e.data['standby'] : undefined;
  }
  return undefined;
}

/** The host `hostOf` / `standbyOf` of a client, or of a channel (its running members), names now. */
function refHost(ctx: StepContext, target: string, ref: 'hostOf' | 'standbyOf'): string | undefined {
  const { events } = ctx.log;
  if (target.startsWith('#') || target.startsWith('@')) return ref === 'hostOf' ? hostOfChannel(events, ctx.channelOf, target) : standbyOfChannel(events, ctx.channelOf, target);
  return ref === 'hostOf' ? clientView(events, target).host : standbyOf(events, target);
}

/** Replaces `hostOf`/`standbyOf: client` by the host it names now; a string says why it cannot. */
function resolveHostRef(step: Step, ctx: StepContext): Step | string {
  if (!('hostOf' in step || 'standbyOf' in step) || (step.hostOf === undefined && step.standbyOf === undefined)) return step;
  const client = (step.hostOf ?? step.standbyOf) as string;
  const host = refHost(ctx, client, step.hostOf !== undefined ? 'hostOf' : 'standbyOf');
  if (host === undefined) return `${client} has no ${step.hostOf !== undefined ? 'host' : 'standby'} to act on`;
  const spec = ctx.scenario.hosts.get(host);
  if (spec === undefined) return `${client}'s ${step.hostOf !== undefined ? 'host' : 'standby'} ${host} is not a host of the scenario`;
  if (step.kind === 'leave' && spec.kind !== 'client') return `${client}'s standby ${host} is a ${spec.kind}; only clients leave`;
  return { kind: step.kind, hosts: [host], line: step.line };
}

/** Runs `step`; resolves with a failed check when it did not work out. */
export async function runStep(original: Step, ctx: StepContext): Promise<CheckOutcome | undefined> {
  const { scenario, log, hosts, channelOf, signal } = ctx;
  const step = resolveHostRef(original, ctx);
  if (typeof step === 'string') return failed(original, `${original.kind} (line ${original.line})`, [step]);
  const interval = scenario.announceIntervalMs;
  switch (step.kind) {
    case 'start':
      return startHosts(step, step.hosts, ctx);
    case 'restart': {
      for (const h of step.hosts) {
        if (hosts.isRunning(h)) {
          log.push(h, 'netsim', 'kill', { for: 'restart' });
          hosts.signal(h, 'SIGKILL', true);
          await hosts.exited(h);
        }
      }
      return startHosts(step, step.hosts, ctx);
    }
    case 'kill':
    case 'stop': {
      for (const h of step.hosts) {
        log.push(h, 'netsim', step.kind);
        // A frozen process handles SIGTERM only once it runs again.
        if (step.kind === 'stop') hosts.signal(h, 'SIGCONT', true);
        if (!hosts.signal(h, step.kind === 'kill' ? 'SIGKILL' : 'SIGTERM', true)) return failed(step, `${step.kind} (line ${step.line})`, [`${h} is not running`]);
      }
      const r = await waitFor(log, { kind: 'exited', hosts: step.hosts }, channelOf, Math.max(5_000, 20 * interval), signal);
      return r.ok ? undefined : failed(step, `${step.kind} (line ${step.line})`, [r.detail]);
    }
    case 'freeze':
    case 'thaw':
      for (const h of step.hosts) {
        log.push(h, 'netsim', step.kind);
        if (!hosts.signal(h, step.kind === 'freeze' ? 'SIGSTOP' : 'SIGCONT', false)) return failed(step, `${step.kind} (line ${step.line})`, [`${h} is not running`]);
      }
      return undefined;
    case 'say':
      if (step.rate !== undefined) {
        ctx.background.add(startPacedSay(step, step.rate, log, hosts, signal));
        return undefined;
      }
      for (const { from, text } of step.posts) {
        if (!typePost(log, hosts, from, text)) return failed(step, `say (line ${step.line})`, [`${from} is not running`]);
      }
      return undefined;
    case 'leave':
      // peer-client's contract: EOF on stdin leaves the channel (EXIT) and ends the process.
      for (const h of step.hosts) {
        log.push(h, 'netsim', 'leave');
        hosts.endInput(h);
      }
      return undefined;
    case 'wait': {
      const r = await waitFor(log, step.condition, channelOf, step.within * interval, signal);
      return r.ok ? undefined : failed(step, `wait ${step.condition.kind} within ${step.within} intervals (line ${step.line})`, [r.detail]);
    }
    case 'pause':
      await pause(step.intervals * interval, signal);
      return undefined;
    case 'hog':
      ctx.background.add(await startHog(log, ctx.runDir, step.intervals * interval, step.procs));
      return undefined;
    case 'lobby':
      return runLobbyStep(step, ctx);
    default:
      // Network and process faults: partitions (also one way), heal, netem, starve, disk, clock.
      return runFaultStep(step, ctx);
  }
}
