/**
 * Which mechanism a netns run links its hosts with (detected once per netsim process):
 * netem where the kernel has it, else netsim's userspace switch; a plain kernel bridge when the
 * scenario breaks no link.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Scenario } from '../scenario/types.js';
import type { LinkFault } from './link-model.js';
import { switchUnavailableReason } from './switch.js';
import { run } from '../backend/ip-batch.js';
import { RUN_PREFIX } from '../backend/run-dir.js';

const exec = promisify(execFile);

/** How a netns run links its hosts; see backend/netns.ts. */
export type NetworkMechanism = 'bridge' | 'netem' | 'switch';

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

let netemProbe: Promise<string | undefined> | undefined;

/**
 * Why `tc netem` cannot run here (the kernel lacks sch_netem, as in many containers), or
 * undefined. Probed once, in a throwaway namespace, on its loopback.
 */
export function netemUnavailableReason(): Promise<string | undefined> {
  netemProbe ??= (async () => {
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
      await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    }
  })();
  return netemProbe;
}

/** Network-fault steps of a scenario: whether it breaks links, and whether it needs the switch (one way, or a capture). */
function linkSteps(s: Scenario): { any: boolean; oneWay: boolean } {
  const kinds = new Set(s.steps.map((st) => st.kind));
  // noPlaintext reads the capture of every frame, which only the userspace switch makes.
  const capture = s.expect.some((x) => x.kind === 'noPlaintext');
  return { any: capture || kinds.has('partition') || kinds.has('heal') || kinds.has('netem') || kinds.has('cut'), oneWay: capture || kinds.has('cut') };
}

/** The mechanism for `scenario` on netns, or why it cannot run here. */
export async function networkFor(scenario: Scenario): Promise<{ network: NetworkMechanism } | { reason: string }> {
  const need = linkSteps(scenario);
  if (!need.any) return { network: 'bridge' };
  // netem cannot cut one direction of a bridge port; the switch can.
  if (!need.oneWay && (await netemUnavailableReason()) === undefined) return { network: 'netem' };
  const reason = switchUnavailableReason();
  if (reason === undefined) return { network: 'switch' };
  const netem = await netemUnavailableReason();
  return { reason: `${reason}${netem !== undefined ? `, and ${netem}` : ''}` };
}

/** `tc qdisc … netem` arguments for `f`. */
export function netemArgs(f: LinkFault): string[] {
  const a = ['delay', `${f.delayMs ?? 0}ms`];
  if (f.jitterMs) a.push(`${f.jitterMs}ms`);
  if (f.lossPercent) a.push('loss', `${f.lossPercent}%`);
  if (f.duplicatePercent) a.push('duplicate', `${f.duplicatePercent}%`);
  if (f.reorderPercent) a.push('reorder', `${f.reorderPercent}%`);
  if (f.rateKbit) a.push('rate', `${f.rateKbit}kbit`);
  return a;
}
