/**
 * Backend `netns`: each host in its own network namespace, linked by a veth pair to a bridge that
 * lives in a namespace of its own, so no test packet ever touches the machine's interfaces.
 * Multicast is real (224.0.0.0/4 routed via the veth). Partitions move bridge ports onto separate
 * bridges; delay and loss use `tc netem` on the host's veth.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { NetsimError } from '../errors.js';
import { ownerPid, pidAlive, RUN_PREFIX } from './run-dir.js';
import { WIRE_HOST, type Backend } from './types.js';

const exec = promisify(execFile);
/** Interface name of a host's end of its veth pair (inside the host's own namespace). */
const HOST_IF = 'ims0';

/** Runs `ip`/`tc`; failures become BACKEND_COMMAND errors naming the command. */
async function run(cmd: string, args: readonly string[]): Promise<string> {
  try {
    return (await exec(cmd, [...args])).stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new NetsimError('BACKEND_COMMAND', `${cmd} ${args.join(' ')}: ${(err.stderr ?? err.message).trim()}`, { cause: e });
  }
}

/** Why netns cannot run here, or undefined when it can. */
export async function netnsUnavailableReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'the netns backend needs root (network namespaces, veth, tc)';
  try {
    await exec('ip', ['netns', 'list']);
    return undefined;
  } catch (e) {
    return `"ip netns" does not work here: ${(e as Error).message}`;
  }
}

/**
 * Why `netem` steps cannot run here (the kernel lacks sch_netem, as in many containers), or
 * undefined. Probed in a throwaway namespace, on its loopback.
 */
export async function netemUnavailableReason(): Promise<string | undefined> {
  const base = await netnsUnavailableReason();
  if (base) return base;
  const ns = `${RUN_PREFIX}${process.pid}-netem-probe`;
  try {
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'replace', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
    return undefined;
  } catch (e) {
    return `tc netem does not work here: ${(e as Error).message}`;
  } finally {
    await deleteNamespace(ns);
  }
}

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

async function deleteNamespace(ns: string): Promise<void> {
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

/** Creates the netns backend for one run; `setup` builds the namespaces. */
export function netnsBackend(runId: string): Backend {
  const bridgeNs = `${runId}-br`;
  const hosts = new Map<string, { ns: string; port: string; address: string }>();
  let extraBridges = 0;
  let cleaned = false;
  const entry = (host: string): { ns: string; port: string; address: string } => {
    const e = hosts.get(host);
    if (!e) throw new NetsimError('BACKEND_COMMAND', `host ${host} has no namespace`);
    return e;
  };
  const setMaster = async (port: string, bridge: string): Promise<void> => {
    await run('ip', ['-n', bridgeNs, 'link', 'set', port, 'master', bridge]);
  };

  return {
    name: 'netns',
    runId,
    async setup(names) {
      const reason = await netnsUnavailableReason();
      if (reason) throw new NetsimError('BACKEND_UNAVAILABLE', reason);
      await run('ip', ['netns', 'add', bridgeNs]);
      await run('ip', ['-n', bridgeNs, 'link', 'add', 'br0', 'type', 'bridge']);
      // Snooping would hide group traffic until a querier exists; a test LAN floods it instead.
      await run('ip', ['-n', bridgeNs, 'link', 'set', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
      await run('ip', ['-n', bridgeNs, 'link', 'set', 'br0', 'up']);
      const all = [...names, WIRE_HOST];
      for (const [i, host] of all.entries()) {
        const ns = `${runId}-h${i}`;
        const port = `p${i}`;
        const address = host === WIRE_HOST ? '10.77.255.254' : addressFor(i);
        hosts.set(host, { ns, port, address });
        await run('ip', ['netns', 'add', ns]);
        // Created inside the bridge namespace and moved straight into the host's: never in ours.
        await run('ip', ['-n', bridgeNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', HOST_IF, 'netns', ns]);
        await setMaster(port, 'br0');
        await run('ip', ['-n', bridgeNs, 'link', 'set', port, 'up']);
        await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
        await run('ip', ['-n', ns, 'addr', 'add', `${address}/16`, 'dev', HOST_IF]);
        await run('ip', ['-n', ns, 'link', 'set', HOST_IF, 'up']);
        await run('ip', ['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', HOST_IF]);
      }
    },
    wrap: (host, cmd, args) => ({ cmd: 'ip', args: ['netns', 'exec', entry(host).ns, cmd, ...args] }),
    interfaceOf: (host) => entry(host).address,
    addressOf: (host) => entry(host).address,
    async partition(groups) {
      // Group 0 (and every host not named) stays on br0 with the wire recorder.
      for (const [g, members] of groups.entries()) {
        if (g === 0) continue;
        const bridge = `br${g}`;
        if (g > extraBridges) {
          await run('ip', ['-n', bridgeNs, 'link', 'add', bridge, 'type', 'bridge']);
          await run('ip', ['-n', bridgeNs, 'link', 'set', bridge, 'type', 'bridge', 'mcast_snooping', '0']);
          await run('ip', ['-n', bridgeNs, 'link', 'set', bridge, 'up']);
          extraBridges = g;
        }
        for (const h of members) await setMaster(entry(h).port, bridge);
      }
    },
    async heal() {
      for (const e of hosts.values()) await setMaster(e.port, 'br0');
    },
    async netem(names, delayMs, lossPercent) {
      for (const h of names) {
        await run('ip', ['netns', 'exec', entry(h).ns, 'tc', 'qdisc', 'replace', 'dev', HOST_IF, 'root', 'netem', 'delay', `${delayMs}ms`, 'loss', `${lossPercent}%`]);
      }
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      for (const e of hosts.values()) await deleteNamespace(e.ns);
      await deleteNamespace(bridgeNs);
    },
  };
}
