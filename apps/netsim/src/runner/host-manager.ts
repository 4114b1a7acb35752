/** Starts, signals and stops the host processes of one run, feeding their events into the log. */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import type { Backend } from '../backend/types.js';
import { recordPid } from '../backend/run-dir.js';
import { NetsimError } from '../errors.js';
import { CLOCK_FILE_ENV, clockFile } from '../faults/clock.js';
import { mountSmallDisk, unmountSmallDisk } from '../faults/disk.js';
import { spawnProcess, type HostProcess } from '../proc/host-process.js';
import { REPO_ROOT, hostArgs, mainFor, nodeCommand, type AppMains, type LaunchContext } from '../proc/launch.js';
import type { HostSpec, Scenario } from '../scenario/types.js';
import { claimedIds, namesForIds, type SecureRun } from '../secure/secure-run.js';
import type { EventLog } from './event-log.js';

/** Lines of a host's own log kept for the report. @default 200 */
export const LOG_TAIL_LINES = 200;
/** Most processes warmUp spawns ahead of their start. @default 16 */
export const WARM_MAX = 16;
/** How long a graceful stop may take before SIGKILL, at teardown. @default 3000 */
export const STOP_GRACE_MS = 3_000;

interface Running {
  readonly proc: HostProcess;
  expectedExit: boolean;
}

/** Options of a host manager. */
export interface HostManagerInit {
  readonly scenario: Scenario;
  readonly backend: Backend;
  readonly log: EventLog;
  readonly apps: AppMains;
  readonly runDir: string;
  readonly discoveryPort: number;
  /** Secure mode's files and the peer IDs of the hosts (plain: every ID is the host name). */
  readonly secure?: SecureRun;
}

/** Variables the apps read secure mode's files from: netsim passes the files it means as flags, never the caller's. */
const SECURE_ENV = ['IMS_NETWORK_KEY_FILE', 'IMS_IDENTITY_FILE', 'IMS_ALLOW_PEERS_FILE', 'IMS_REVOKED_PEERS_FILE'];

/** The process table of one run. */
export class HostManager {
  private readonly running = new Map<string, Running>();
  private readonly ports = new Map<string, number>();
  private readonly started = new Set<string>();
  /** Processes spawned ahead and held until their host's start step (warmUp). */
  private readonly held = new Map<string, HostProcess>();
  /** Data dirs that are a small tmpfs of their own (servers a `diskFull` step names). */
  private readonly smallDisks = new Map<string, string>();
  /** Last lines of each host's output. */
  readonly tails = new Map<string, string[]>();

  constructor(private readonly init: HostManagerInit) {}

  /** Whether `name` has a running process. */
  isRunning(name: string): boolean {
    const r = this.running.get(name);
    return r !== undefined && !r.proc.exited();
  }

  /**
   * Spawns, held, the first process of the hosts the timeline starts (at most WARM_MAX, servers
   * and clients of apps that honour the hold), so their start-up overlaps the run's and each
   * other's; a `start` step then only lets its hosts go on. Returns the hosts warmed.
   */
  async warmUp(): Promise<string[]> {
    const { scenario, apps } = this.init;
    const honours = (main: string): boolean => {
      try {
        return readFileSync(main, 'utf8').includes('netsimHold');
      } catch {
        // Missing entry point: the start step reports it.
        return false;
      }
    };
    const order = scenario.steps.flatMap((st) => (st.kind === 'start' ? st.hosts : []));
    const names = [...new Set(order)].filter((n) => {
      const spec = scenario.hosts.get(n);
      return spec !== undefined && spec.kind !== 'hostile' && honours(mainFor(spec, apps));
    });
    const warm = names.slice(0, WARM_MAX);
    await Promise.all(warm.map(async (n) => this.held.set(n, await this.spawnHost(n, true))));
    return warm;
  }

  /** Starts `name` (again, for restart): a warm process if one is held for it, else a new one. */
  async start(name: string): Promise<void> {
    if (this.isRunning(name)) throw new NetsimError('HOST_FAILED', `${name} is already running`);
    const warm = this.held.get(name);
    this.held.delete(name);
    const proc = warm?.release() ? warm : await this.spawnHost(name, false);
    this.attach(name, proc, warm === proc);
  }

  private async spawnHost(name: string, hold: boolean): Promise<HostProcess> {
    const { scenario, backend, apps, runDir, discoveryPort } = this.init;
    const spec = scenario.hosts.get(name) as HostSpec;
    let dataDir: string | undefined;
    if (spec.kind === 'server' && spec.dataDir) {
      dataDir = join(runDir, 'data', name);
      await mkdir(dataDir, { recursive: true });
      const fills = scenario.steps.some((st) => st.kind === 'diskFull' && st.hosts.includes(name));
      if (fills && !this.smallDisks.has(name)) {
        await mountSmallDisk(dataDir);
        this.smallDisks.set(name, dataDir);
      }
    }
    // Only a scenario that jumps clocks hands out the hook (each app's src/netsim-clock.ts).
    const clocks = scenario.steps.some((st) => st.kind === 'clock');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !SECURE_ENV.includes(k)));
    if (clocks) env[CLOCK_FILE_ENV] = clockFile(runDir, name);
    const targets = spec.kind === 'hostile' ? spec.targets.flatMap((t) => (this.ports.has(t) ? [`${backend.addressOf(t)}:${this.ports.get(t)}`] : [])) : [];
    const node = nodeCommand(mainFor(spec, apps), hostArgs(spec, { announceIntervalMs: scenario.announceIntervalMs, discoveryPort, interfaceAddr: backend.interfaceOf(name), targets, ...(dataDir ? { dataDir } : {}), ...this.secureContext(spec) }));
    const line = backend.wrap(name, node.cmd, node.args);
    const proc = await spawnProcess(line.cmd, line.args, { cwd: REPO_ROOT, env, hold }).catch((e: unknown) => {
      throw new NetsimError('HOST_FAILED', `cannot start ${name}: ${(e as Error).message}`, { cause: e });
    });
    await recordPid(runDir, proc.pid);
    return proc;
  }

  /** The secure-mode part of a host's launch context: IDs, files, a hostile peer's plan. */
  private secureContext(spec: HostSpec): Pick<LaunchContext, 'idOf' | 'secure' | 'hostile'> {
    const { scenario, secure } = this.init;
    if (!secure) return {};
    const policy = secure.policyFiles(spec.name);
    const lists = { ...(policy.allow ? { allowFile: policy.allow } : {}), ...(policy.revoked ? { revokedFile: policy.revoked } : {}) };
    const files = secure.isSecure(spec.name) ? { secure: { keyFile: secure.keyFile, identityFile: secure.identityFile(spec.name), ...lists } } : {};
    if (spec.kind !== 'hostile' || spec.victim === undefined) return { idOf: secure.idOf, ...files };
    const victim = scenario.hosts.get(spec.victim);
    const hostile = {
      channel: victim?.kind === 'client' ? victim.channel : '#room',
      victimId: secure.idOf(spec.victim),
      serverId: secure.idOf(spec.targets[0] ?? ''),
      ...claimedIds(scenario),
      ...(spec.sealKey === 'wrong' ? { sealKeyFile: secure.wrongKeyFile } : {}),
    };
    return { idOf: secure.idOf, hostile };
  }

  private attach(name: string, proc: HostProcess, warm: boolean): void {
    const { scenario, log } = this.init;
    const spec = scenario.hosts.get(name) as HostSpec;
    const entry: Running = { proc, expectedExit: false };
    this.running.set(name, entry);
    log.push(name, 'netsim', this.started.has(name) ? 'restart' : 'start', { pid: proc.pid, ...(warm ? { warm: true } : {}) });
    this.started.add(name);
    const tail = this.tails.get(name) ?? [];
    this.tails.set(name, tail);
    // Per the contracts: clients print events on stdout; servers and hostile peers log on stderr.
    const eventStream = spec.kind === 'client' ? 'stdout' : 'stderr';
    proc.lines$.subscribe(({ stream, line: text }) => {
      tail.push(`${stream === 'stderr' ? '!' : ' '} ${text}`);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      if (stream !== eventStream && spec.kind === 'client') return;
      const raw = parseEventLine(text);
      if (!raw) return;
      // Secure mode: the apps print derived peer IDs; the checks speak host names.
      const names = this.init.secure?.nameOf;
      const parsed = names ? { event: raw.event, data: namesForIds(raw.data, names) as Record<string, unknown> } : raw;
      if (parsed.event === 'listening' && typeof parsed.data['port'] === 'number') this.ports.set(name, parsed.data['port']);
      log.push(name, 'app', parsed.event, parsed.data);
    });
    void proc.exit.then((x) => log.push(name, 'netsim', 'exit', { code: x.code, signal: x.signal, expected: entry.expectedExit }));
  }

  /** The pid of `name`'s running process (inside `ip netns exec`, which execs in place). */
  pidOf(name: string): number | undefined {
    const r = this.running.get(name);
    return r && !r.proc.exited() ? r.proc.pid : undefined;
  }

  /** The data dir of `name` when it is a small disk of its own that a step may fill. */
  smallDiskOf(name: string): string | undefined {
    return this.smallDisks.get(name);
  }

  /** Sends `sig`; `expected` marks an exit it causes as netsim's doing. */
  signal(name: string, sig: NodeJS.Signals, expected: boolean): boolean {
    const r = this.running.get(name);
    if (!r || r.proc.exited()) return false;
    if (expected) r.expectedExit = true;
    return r.proc.signal(sig);
  }

  /** Writes a line to a host's stdin. */
  writeLine(name: string, text: string): boolean {
    return this.running.get(name)?.proc.writeLine(text) ?? false;
  }

  /** Closes a host's stdin; the exit that follows is expected. */
  endInput(name: string): void {
    const r = this.running.get(name);
    if (!r) return;
    r.expectedExit = true;
    r.proc.endInput();
  }

  /** Resolves when `name`'s current process has exited. */
  async exited(name: string): Promise<void> {
    await this.running.get(name)?.proc.exit;
  }

  /** Stops every process: SIGCONT (a frozen one cannot handle SIGTERM), SIGTERM, then SIGKILL. */
  async stopAll(graceMs = STOP_GRACE_MS): Promise<void> {
    // Held processes never ran: nothing to stop gracefully.
    const held = [...this.held.values()];
    this.held.clear();
    for (const p of held) p.signal('SIGKILL');
    await Promise.all(held.map((p) => p.exit));
    const all = [...this.running.entries()].filter(([, r]) => !r.proc.exited());
    for (const [, r] of all) {
      r.expectedExit = true;
      r.proc.signal('SIGCONT');
      r.proc.signal('SIGTERM');
    }
    await Promise.all(
      all.map(async ([, r]) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            r.proc.signal('SIGKILL');
            resolve();
          }, graceMs);
        });
        await Promise.race([r.proc.exit, late]);
        clearTimeout(timer);
        await r.proc.exit;
      }),
    );
    // With every process gone, the small disks can go too (before the scratch folder is removed).
    for (const dir of this.smallDisks.values()) await unmountSmallDisk(dir);
    this.smallDisks.clear();
  }
}

/** A JSON object line with a string `event`, split into event name and other fields. */
export function parseEventLine(text: string): { event: string; data: Record<string, unknown> } | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const { event, ...data } = v as Record<string, unknown>;
    return typeof event === 'string' ? { event, data } : undefined;
  } catch {
    // Not JSON: a plain log line, kept in the tail only.
    return undefined;
  }
}
