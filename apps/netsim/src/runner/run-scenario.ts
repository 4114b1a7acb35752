/** Runs one scenario once: sets up the backend, plays the timeline, checks, and always cleans up. */
import { rm } from 'node:fs/promises';
import { localBackend } from '../backend/local.js';
import { netnsBackend } from '../backend/netns.js';
import { planRun } from '../faults/requirements.js';
import { makeRunDir, newRunId } from '../backend/run-dir.js';
import type { Backend } from '../backend/types.js';
import { readerTallies } from '../checks/acked.js';
import { describeStep } from '../checks/describe.js';
import { measureFailovers } from '../checks/failover-time.js';
import { announceSpans, claimsOf } from '../checks/one-host.js';
import { NetsimError } from '../errors.js';
import { DEFAULT_APP_MAINS, type AppMains } from '../proc/launch.js';
import type { BackendName, Scenario } from '../scenario/types.js';
import { freeUdpPort, startRecorder, summariseWire, type WireRecorder } from '../wire/recorder.js';
import { datagramReader } from '../secure/open-datagram.js';
import { isSecureHost, prepareSecureRun, type SecureRun } from '../secure/secure-run.js';
import { Background } from './background.js';
import { EventLog } from './event-log.js';
import { expectation } from './expectations.js';
import { HostManager } from './host-manager.js';
import type { CheckOutcome, RunResult } from './result.js';
import { runStep, startupDeadlineMs } from './steps.js';

/** Options of one run. */
export interface RunOptions {
  /** @default 'local' */
  readonly backend?: BackendName;
  /** @default the real apps */
  readonly apps?: AppMains;
  /** Aborts the run (Ctrl-C); cleanup still happens. */
  readonly signal?: AbortSignal;
  /** Called after every step, for the progress line. */
  readonly onStep?: (done: number, total: number, scenario: string) => void;
  /** Keep the run's scratch folder (data dirs) after the run. @default false */
  readonly keepRunDir?: boolean;
}

const EMPTY_WIRE = { datagrams: 0, decoded: 0, announced: {} };

/** Runs `scenario` once and reports what happened. Never throws for a failing system under test. */
export async function runScenario(scenario: Scenario, opts: RunOptions = {}): Promise<RunResult> {
  const backendName = opts.backend ?? 'local';
  const anySecure = [...scenario.hosts.values()].some((h) => isSecureHost(scenario, h));
  const base = { scenario: scenario.name, file: scenario.file, backend: backendName, ...(anySecure ? { secure: true } : {}), announceIntervalMs: scenario.announceIntervalMs, checks: [], failovers: [], wire: EMPTY_WIRE, events: [], logs: {} };
  if (scenario.pending !== undefined) return { ...base, status: 'pending', reason: scenario.pending, durationMs: 0 };
  if (!scenario.backends.includes(backendName)) return { ...base, status: 'skipped', reason: `runs on ${scenario.backends.join(', ')} only`, durationMs: 0 };
  // What the faults need (netem or the userspace switch, root for a full disk), decided once.
  const plan = await planRun(scenario, backendName);
  if (plan.reason !== undefined) return { ...base, status: 'skipped', reason: plan.reason, durationMs: 0 };
  const startupMs = startupDeadlineMs(scenario);

  const runId = newRunId();
  const runDir = await makeRunDir(runId);
  const backend: Backend = backendName === 'netns' ? netnsBackend(runId, { network: plan.network ?? 'bridge', runDir, startMs: startupMs, capture: scenario.expect.some((x) => x.kind === 'noPlaintext') }) : localBackend(runId);
  const log = new EventLog();
  const deadline = AbortSignal.timeout(scenario.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  const channelOf = new Map([...scenario.hosts.values()].flatMap((h) => (h.kind === 'client' ? [[h.name, h.channel] as const] : [])));
  const checks: CheckOutcome[] = [];
  let secure: SecureRun | undefined;
  let recorder: WireRecorder | undefined;
  let pendingRecorder: Promise<WireRecorder | undefined> | undefined;
  let hosts: HostManager | undefined;
  let error: string | undefined;
  let teardownMs: number | undefined;
  const background = new Background();
  try {
    await backend.setup([...scenario.hosts.keys()]);
    log.push('net', 'netsim', 'network', { backend: backend.name, mechanism: backend.network });
    // The recorder starts beside the first step's hosts (their first PDUs come after `listening`,
    // later than a built recorder is up) and is awaited before the second step.
    const port = await freeUdpPort();
    // Secure mode: key and identities exist before any host starts, so every peer ID is known.
    secure = await prepareSecureRun(scenario, runDir);
    if (secure.any) log.push('run', 'netsim', 'secure', { ids: Object.fromEntries([...scenario.hosts.keys()].filter((h) => secure?.isSecure(h)).map((h) => [h, secure?.idOf(h)])) });
    const read = secure.observer ? datagramReader(secure.observer, secure.nameOf) : undefined;
    const recorderReady = startRecorder(backend, runDir, Date.now() - log.now(), startupMs, port, read);
    pendingRecorder = recorderReady.catch(() => undefined);
    const apps = opts.apps ?? DEFAULT_APP_MAINS;
    hosts = new HostManager({ scenario, backend, log, apps, runDir, discoveryPort: port, secure });
    // Hosts boot ahead, held, while the recorder starts: a start step then only lets them go on.
    const warm = await hosts.warmUp();
    if (warm.length > 0) log.push('run', 'netsim', 'warm-up', { hosts: warm });
    const ctx = { scenario, backend, log, hosts, channelOf, signal, background, runDir, discoveryPort: port, apps, secure };
    for (const [i, step] of scenario.steps.entries()) {
      if (signal.aborted) break;
      if (i > 0) recorder ??= await recorderReady;
      const stepT0 = log.now();
      const failure = await runStep(step, ctx);
      opts.onStep?.(i + 1, scenario.steps.length, scenario.name);
      if (failure) {
        // Later steps assume this one worked: stop the timeline, still check what we have.
        checks.push({ ...failure, name: describeStep(step) });
        break;
      }
      checks.push({ name: describeStep(step, log.now() - stepT0), line: step.line, ok: true, problems: [] });
    }
    recorder ??= await recorderReady;
    // Posts of a paced say still to come belong to the run; a hog ends with the timeline.
    checks.push(...(await background.settle()));
    if (signal.aborted) {
      // An interrupted timeline says nothing about the system: its final checks would be noise.
      error = opts.signal?.aborted ? 'aborted' : `timed out after ${scenario.timeoutMs} ms`;
      checks.push({ name: 'run', ok: false, problems: [error] });
    } else checks.push(...finalChecks(scenario, log, channelOf, recorder, backend));
  } catch (e) {
    // A netsim bug still ends in cleanup below; its stack goes into the report.
    error = e instanceof NetsimError ? `${e.code}: ${e.message}` : e instanceof Error ? (e.stack ?? e.message) : String(e);
    checks.push({ name: 'run', ok: false, problems: [error] });
  } finally {
    // Marks where the run ends and teardown begins: exits after it are netsim's cleanup.
    teardownMs = log.now();
    log.push('run', 'netsim', 'teardown');
    // Each cleanup step runs even when an earlier one fails: leftovers are worse than noise.
    const steps: [string, () => Promise<unknown> | undefined][] = [
      ['stop background jobs', () => background.stopAll()],
      ['stop hosts', () => hosts?.stopAll()],
      ['stop recorder', async () => (recorder ?? (await pendingRecorder))?.stop()],
      ['remove network', () => backend.cleanup()],
      ['remove scratch folder', () => (opts.keepRunDir ? undefined : rm(runDir, { recursive: true, force: true }))],
    ];
    for (const [what, step] of steps) {
      try {
        await step();
      } catch (e) {
        process.stderr.write(`netsim: cleanup (${what}) of ${runId} failed: ${(e as Error).message}\n`);
      }
    }
    const frames = backend.frameCounts();
    if (frames) log.push('net', 'netsim', 'frames', frames);
    log.close();
  }
  const clients = [...channelOf.keys()];
  return {
    ...base,
    status: error !== undefined && checks.every((c) => c.ok || c.name === 'run') ? 'error' : checks.every((c) => c.ok) ? 'passed' : 'failed',
    ...(error !== undefined ? { reason: error } : {}),
    durationMs: log.now(),
    ...(teardownMs !== undefined ? { teardownMs } : {}),
    network: backend.network,
    ...(backend.frameCounts() !== undefined ? { frames: backend.frameCounts() } : {}),
    checks,
    readers: readerTallies(log.events, channelOf),
    failovers: measureFailovers(log.events, clients, scenario.announceIntervalMs),
    wire: recorder ? { ...summariseWire(recorder.records), spans: announceSpans(claimsOf(recorder.records, log.events, scenario.announceIntervalMs), scenario.announceIntervalMs) } : EMPTY_WIRE,
    events: log.events,
    logs: Object.fromEntries(hosts?.tails ?? []),
  };
}

/** peer-client's exit code when `chat` could not join its channel, or lost it. */
const CHANNEL_LOST_EXIT = 3;

/** The `expect:` list, plus checks every run gets: no host crashed, and the log was complete. */
function finalChecks(scenario: Scenario, log: EventLog, channelOf: ReadonlyMap<string, string>, recorder: WireRecorder | undefined, backend: Backend): CheckOutcome[] {
  const events = log.events;
  const now = log.now();
  const capture = (): ReturnType<NonNullable<Backend['capture']>> => backend.capture?.();
  const out = scenario.expect.map((x) => expectation(x, { scenario, events, channelOf, records: recorder?.records ?? [], now, capture }));
  if (log.dropped > 0) out.push({ name: 'log complete', ok: false, problems: [`${log.dropped} events were dropped: the log hit its limit, checks saw part of the run`] });
  // A client that must never join may give up with peer-client's "could not join" (exit 3): that is the refusal, not a crash.
  const refused = new Set(scenario.expect.flatMap((x) => (x.kind === 'neverJoined' ? x.hosts : [])));
  const crashes = events.filter((e) => e.source === 'netsim' && e.event === 'exit' && e.data['expected'] === false && e.data['code'] !== 0 && !(refused.has(e.host) && e.data['code'] === CHANNEL_LOST_EXIT));
  out.push({ name: 'no host crashed', ok: crashes.length === 0, problems: crashes.map((e) => `${e.host} exited by itself at ${e.t} ms (code ${String(e.data['code'])}, signal ${String(e.data['signal'])})`) });
  return out;
}
