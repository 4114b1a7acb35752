/**
 * Backend `netns`: each host in its own network namespace, linked to a switch that lives in a
 * namespace of its own, so no test packet ever touches the machine's interfaces. Multicast is
 * real (224.0.0.0/4 routed via the host's interface). The switch is one of (see network-choice.ts):
 * - `bridge`: a kernel bridge and veth pairs; no network faults (the fastest);
 * - `netem`: the same, partitions move bridge ports in one `ip -batch`, impairments are
 *   `tc netem` on the host's interface (where the kernel has sch_netem);
 * - `switch`: TAP devices into netsim's userspace switch (faults/switch-main.ts), which does every
 *   impairment itself and cuts links (both ways or one way) in one change of its table.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetsimError } from '../errors.js';
import type { LinkFault } from '../faults/link-model.js';
import { startSwitch, type UserspaceSwitch } from '../faults/switch.js';
import { netemArgs, netemUnavailableReason, netnsUnavailableReason, type NetworkMechanism } from '../faults/network-choice.js';
import { readCapture } from './capture.js';
import { run, runBatch } from './ip-batch.js';
import { ownerPid, pidAlive, RUN_PREFIX } from './run-dir.js';
import { WIRE_HOST, type Backend } from './types.js';

export { netemUnavailableReason, netnsUnavailableReason };
/** Interface name of a host's link (inside the host's own namespace). */
const HOST_IF = 'ims0';

/** Deletes namespaces left by dead runs (their processes first). */
export async function sweepNamespaces(): Promise<string[]> {
  if ((await netnsUnavailableReason()) !== undefined) return [];
  const names = (await run('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(RUN_PREFIX));
  const stale = names.filter((n) => {
    const pid = ownerPid(n);
    return pid !== undefined && !pidAlive(pid);
  });
  for (const ns of stale) await deleteNamespace(ns);
  return stale;
}

/** Kills what runs in `ns`, then deletes it. */
export async function deleteNamespace(ns: string): Promise<void> {
  const pids = (await run('ip', ['netns', 'pids', ns]).catch(() => '')).split('\n').filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (e) {
      process.stderr.write(`netsim: pid ${pid} in ${ns}: ${(e as Error).message}\n`);
    }
  }
  await run('ip', ['netns', 'del', ns]).catch((e: unknown) => process.stderr.write(`netsim: ${(e as Error).message}\n`));
}

/** 10.77.0.0/16 exists only inside this run's namespaces. */
function addressFor(index: number): string {
  const n = index + 10;
  return `10.77.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

/** Options of a netns backend. */
export interface NetnsOptions {
  /** How hosts are linked and faults made. @default 'bridge' */
  readonly network?: NetworkMechanism;
  /** The run's scratch folder (the switch's pid goes on its list). @default none */
  readonly runDir?: string;
  /** How long the userspace switch may take to start, ms. @default 20000 */
  readonly startMs?: number;
  /** Capture every frame at the userspace switch (into the run dir), for `noPlaintext`. @default false */
  readonly capture?: boolean;
}

interface HostEntry {
  readonly ns: string;
  readonly port: string;
  readonly address: string;
}

/** Creates the netns backend for one run; `setup` builds the namespaces. */
export function netnsBackend(runId: string, opts: NetnsOptions = {}): Backend {
  const network = opts.network ?? 'bridge';
  const bridgeNs = `${runId}-br`;
  const hosts = new Map<string, HostEntry>();
  let userspace: UserspaceSwitch | undefined;
  let state: { cut: [string, string][]; faults: Record<string, LinkFault> } = { cut: [], faults: {} };
  let extraBridges = 0;
  let cleaned = false;
  let frames: Record<string, number> | undefined;
  const captureFile = opts.capture && network === 'switch' ? join(opts.runDir ?? tmpdir(), 'wire.capture') : undefined;
  const entry = (host: string): HostEntry => {
    const e = hosts.get(host);
    if (!e) throw new NetsimError('BACKEND_COMMAND', `host ${host} has no namespace`);
    return e;
  };
  const needSwitch = (what: string): UserspaceSwitch => {
    if (!userspace) throw new NetsimError('BACKEND_UNAVAILABLE', `${what} needs the userspace switch; this run uses ${network}`);
    return userspace;
  };
  const applyState = (next: typeof state): Promise<void> => {
    state = next;
    return needSwitch('this fault').apply(state);
  };

  async function setup(names: readonly string[]): Promise<void> {
    const reason = await netnsUnavailableReason();
    if (reason) throw new NetsimError('BACKEND_UNAVAILABLE', reason);
    const all = [...names, WIRE_HOST];
    all.forEach((host, i) => hosts.set(host, { ns: `${runId}-h${i}`, port: network === 'switch' ? `t${i}` : `p${i}`, address: host === WIRE_HOST ? '10.77.255.254' : addressFor(i) }));
    const entries = [...hosts.values()];
    await runBatch('ip', [`netns add ${bridgeNs}`, ...entries.map((e) => `netns add ${e.ns}`)]);
    if (network === 'switch') {
      userspace = await startSwitch(bridgeNs, all, entries.map((e) => e.port), opts.runDir ?? '', opts.startMs ?? 20_000, captureFile);
      await runBatch('ip', entries.map((e) => `link set ${e.port} netns ${e.ns}`), bridgeNs);
    } else {
      // Snooping would hide group traffic until a querier exists; a test LAN floods it instead.
      const lines = ['link add br0 type bridge mcast_snooping 0', 'link set br0 up'];
      // Created inside the bridge namespace and moved straight into the host's: never in ours.
      for (const e of entries) lines.push(`link add ${e.port} type veth peer name ${HOST_IF} netns ${e.ns}`, `link set ${e.port} master br0`, `link set ${e.port} up`);
      await runBatch('ip', lines, bridgeNs);
    }
    await Promise.all(
      entries.map((e) =>
        runBatch(
          'ip',
          [...(network === 'switch' ? [`link set ${e.port} name ${HOST_IF}`] : []), 'link set lo up', `addr add ${e.address}/16 dev ${HOST_IF}`, `link set ${HOST_IF} up`, `route add 224.0.0.0/4 dev ${HOST_IF}`],
          e.ns,
        ),
      ),
    );
  }

  return {
    name: 'netns',
    network,
    runId,
    setup,
    frameCounts: () => frames,
    capture: () => (captureFile !== undefined ? readCapture(captureFile, [...hosts.keys()]) : undefined),
    wrap: (host, cmd, args) => ({ cmd: 'ip', args: ['netns', 'exec', entry(host).ns, cmd, ...args] }),
    interfaceOf: (host) => entry(host).address,
    addressOf: (host) => entry(host).address,
    async partition(groups) {
      if (userspace) {
        // Group 0 (and every host not named) stays with the wire recorder; all cuts in one change.
        const named = new Set(groups.flat());
        const group = (h: string): number => (named.has(h) ? groups.findIndex((g) => g.includes(h)) : 0);
        const names = [...hosts.keys()];
        const cut = names.flatMap((a) => names.filter((b) => group(a) !== group(b)).map((b) => [a, b] as [string, string]));
        return applyState({ ...state, cut });
      }
      const lines: string[] = [];
      for (let g = extraBridges + 1; g < groups.length; g++) lines.push(`link add br${g} type bridge mcast_snooping 0`, `link set br${g} up`);
      extraBridges = Math.max(extraBridges, groups.length - 1);
      groups.forEach((members, g) => {
        if (g > 0) for (const h of members) lines.push(`link set ${entry(h).port} master br${g}`);
      });
      return runBatch('ip', lines, bridgeNs);
    },
    cut(from, to) {
      const extra = from.flatMap((a) => to.map((b) => [a, b] as [string, string]));
      return applyState({ ...state, cut: [...state.cut, ...extra] });
    },
    async heal() {
      if (userspace) return applyState({ ...state, cut: [] });
      return runBatch('ip', [...hosts.values()].map((e) => `link set ${e.port} master br0`), bridgeNs);
    },
    async impair(names, fault) {
      if (userspace) return applyState({ ...state, faults: { ...state.faults, ...Object.fromEntries(names.map((h) => [h, fault])) } });
      if (network !== 'netem') throw new NetsimError('BACKEND_UNAVAILABLE', 'link faults need netem or the userspace switch');
      await Promise.all(names.map((h) => runBatch('tc', [`qdisc replace dev ${HOST_IF} root netem ${netemArgs(fault).join(' ')}`], entry(h).ns)));
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      // The switch first: its TAP devices go with it, then nothing holds the namespaces.
      frames = await userspace?.stop().catch((e: unknown) => {
        process.stderr.write(`netsim: switch: ${(e as Error).message}\n`);
        return undefined;
      });
      for (const e of hosts.values()) await deleteNamespace(e.ns);
      await deleteNamespace(bridgeNs);
    },
  };
}
