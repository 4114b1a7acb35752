/**
 * The fault steps beyond kill/freeze (their types and validation): link impairments (`netem`),
 * one-way partitions, CPU starvation of a host, a full data disk, clock jumps.
 */
import type { ValidationContext } from '../scenario/context.js';
import type { ValuePath } from '../scenario/yaml-source.js';
import type { HostSpec } from '../scenario/types.js';
import type { LinkFault } from './link-model.js';

/** A fault step of the timeline (part of `Step`). */
export type FaultStep =
  /** Impairs what `hosts` send (netem, or the userspace switch where the kernel lacks it). */
  | { readonly kind: 'netem'; readonly hosts: readonly string[]; readonly fault: LinkFault }
  /** What `from` sends no longer reaches `to`; `to` still reaches `from` (`partition: {from, to}`). */
  | { readonly kind: 'cut'; readonly from: readonly string[]; readonly to: readonly string[] }
  /** `hosts` get `cpuPercent` of one core for `intervals` (a cgroup CPU quota, else a pinned hog). */
  | { readonly kind: 'starve'; readonly hosts: readonly string[]; readonly cpuPercent: number; readonly intervals: number }
  /** The data dir (a small tmpfs of its own) of each server fills up (`diskFull`), or is freed again (`diskFree`). */
  | { readonly kind: 'diskFull' | 'diskFree'; readonly hosts: readonly string[] }
  /** The wall clock of `hosts` jumps by `jumpMs` (their `Date.now`; timers are monotonic and go on). */
  | { readonly kind: 'clock'; readonly hosts: readonly string[]; readonly jumpMs: number };

/** Step keys handled here. */
export const FAULT_STEP_KEYS = ['netem', 'starve', 'diskFull', 'diskFree', 'clock'] as const;

type Hosts = ReadonlyMap<string, HostSpec>;
type Line = { readonly line: number };
type CheckHosts = (names: readonly string[], path: ValuePath, kinds?: readonly HostSpec['kind'][]) => void;

const NETEM_KEYS: Record<string, [keyof LinkFault, string, number]> = {
  delay: ['delayMs', 'delay (ms)', 60_000],
  jitter: ['jitterMs', 'jitter (ms)', 60_000],
  loss: ['lossPercent', 'loss (%)', 100],
  duplicate: ['duplicatePercent', 'duplicate (%)', 100],
  reorder: ['reorderPercent', 'reorder (%)', 100],
  rate: ['rateKbit', 'rate (kbit/s)', 10_000_000],
};

/** Validates a fault step `key: value`; undefined when it is invalid (errors are on `ctx`). */
export function validateFaultStep(ctx: ValidationContext, key: string, value: unknown, path: ValuePath, hosts: Hosts, check: CheckHosts): (FaultStep & Line) | undefined {
  const line = ctx.line(path);
  const list = (v: unknown, p: ValuePath, what: string, kinds?: readonly HostSpec['kind'][]): string[] => {
    const names = ctx.hostList(v, p, what);
    check(names, p, kinds);
    return names;
  };
  // `diskFull: s1` or `diskFull: [s1]`; the others take a mapping with `hosts`.
  if (key === 'diskFull' || key === 'diskFree') return { kind: key, hosts: list(value, path, key, ['server']), line };
  const obj = ctx.record(value, path, key);
  if (!obj) return undefined;
  const names = (kinds?: readonly HostSpec['kind'][]): string[] => list(obj['hosts'], [...path, 'hosts'], 'hosts', kinds);
  switch (key) {
    case 'netem': {
      ctx.onlyKeys(obj, path, ['hosts', ...Object.keys(NETEM_KEYS)]);
      const fault: Record<string, number> = {};
      for (const [k, [field, what, max]] of Object.entries(NETEM_KEYS)) {
        if (obj[k] === undefined) continue;
        const n = ctx.number(obj[k], [...path, k], what, 0, max);
        if (n !== undefined) fault[field] = n;
      }
      if (fault['rateKbit'] === 0) ctx.fail([...path, 'rate'], 'rate must be above 0 (leave it out for no limit)');
      return { kind: 'netem', hosts: names(), fault, line };
    }
    case 'starve': {
      ctx.onlyKeys(obj, path, ['hosts', 'cpu', 'for']);
      const cpuPercent = ctx.number(obj['cpu'], [...path, 'cpu'], 'cpu (% of one core)', 1, 100);
      const intervals = ctx.number(obj['for'], [...path, 'for'], 'for (intervals)', 0.1, 10_000);
      const h = names(['server', 'client']);
      return cpuPercent === undefined || intervals === undefined ? undefined : { kind: 'starve', hosts: h, cpuPercent, intervals, line };
    }
    default: {
      ctx.onlyKeys(obj, path, ['hosts', 'jump']);
      const jumpMs = ctx.number(obj['jump'], [...path, 'jump'], 'jump (ms)', -1e12, 1e12);
      const h = names(['server', 'client']);
      return jumpMs === undefined ? undefined : { kind: 'clock', hosts: h, jumpMs, line };
    }
  }
}

/** `partition: { from: [a], to: [b] }`: the one-way form. */
export function validateCut(ctx: ValidationContext, obj: Record<string, unknown>, path: ValuePath, check: CheckHosts): (FaultStep & Line) | undefined {
  ctx.onlyKeys(obj, path, ['from', 'to']);
  const from = ctx.hostList(obj['from'], [...path, 'from'], 'from');
  const to = ctx.hostList(obj['to'], [...path, 'to'], 'to');
  check(from, [...path, 'from']);
  check(to, [...path, 'to']);
  if (from.some((h) => to.includes(h))) ctx.fail(path, 'a host is on both sides of a one-way partition');
  return { kind: 'cut', from, to, line: ctx.line(path) };
}
