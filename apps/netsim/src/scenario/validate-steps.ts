/** Validates the `steps:` timeline and the `expect:` list of a scenario. */
import type { ValidationContext } from './context.js';
import { didYouMean } from './suggest.js';
import { hostRefCall } from './selectors.js';
import { clientList, conditionHost, refTarget } from './validate-roles.js';
import type { ValuePath } from './yaml-source.js';
import { FAULT_STEP_KEYS, validateCut, validateFaultStep } from '../faults/fault-steps.js';
import { DEFAULT_WAIT_INTERVALS, type Condition, type HostSpec, type HostStep, type Step } from './types.js';

type Hosts = ReadonlyMap<string, HostSpec>;
type Kind = HostSpec['kind'];

const HOST_STEPS: Record<string, { kind: HostStep['kind']; kinds?: readonly Kind[] }> = {
  start: { kind: 'start' },
  join: { kind: 'start', kinds: ['client'] },
  kill: { kind: 'kill' },
  freeze: { kind: 'freeze' },
  thaw: { kind: 'thaw' },
  stop: { kind: 'stop' },
  restart: { kind: 'restart' },
  leave: { kind: 'leave', kinds: ['client'] },
};
const STEP_KEYS = [...Object.keys(HOST_STEPS), 'say', 'wait', 'pause', 'partition', 'heal', 'hog', 'lobby', ...FAULT_STEP_KEYS];
/** Run-time host references a host step may use instead of names. */
const HOST_REFS = ['hostOf', 'standbyOf'] as const;
/** Most posts per second one author types in a paced `say`. */
const MAX_SAY_RATE = 1000;
const CONDITION_KEYS = ['listening', 'joined', 'failover', 'converged', 'delivered', 'exited', 'event'];

/** Checks that every name in `names` is a host of one of `kinds`. */
export function hostRefs(ctx: ValidationContext, hosts: Hosts, names: readonly string[], path: ValuePath, kinds?: readonly Kind[]): void {
  for (const n of names) {
    const h = hosts.get(n);
    if (!h) ctx.fail(path, `unknown host "${n}"`);
    else if (kinds && !kinds.includes(h.kind)) ctx.fail(path, `host "${n}" is a ${h.kind}, expected ${kinds.join(' or ')}`);
  }
}

/** Validates the timeline. */
export function validateSteps(ctx: ValidationContext, raw: unknown, hosts: Hosts): Step[] {
  const steps: Step[] = [];
  if (!Array.isArray(raw)) {
    ctx.fail(['steps'], 'steps must be a list');
    return steps;
  }
  raw.forEach((item: unknown, i) => {
    const path = ['steps', i];
    const obj = ctx.record(item, path, 'a step');
    if (!obj) return;
    const keys = Object.keys(obj);
    if (keys.length !== 1 || !STEP_KEYS.includes(keys[0] ?? '')) {
      const list = `a step has exactly one of: ${STEP_KEYS.join(', ')}`;
      ctx.fail(path, keys.length === 1 ? `unknown step "${keys[0]}"${didYouMean(keys[0] as string, STEP_KEYS)} (${list})` : list);
      return;
    }
    const step = validateStep(ctx, keys[0] as string, obj[keys[0] as string], [...path, keys[0] as string], hosts);
    if (step) steps.push(step);
  });
  return steps;
}

function validateStep(ctx: ValidationContext, key: string, value: unknown, path: ValuePath, hosts: Hosts): Step | undefined {
  const line = ctx.line(path);
  const hostStep = HOST_STEPS[key];
  if (hostStep) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return validateHostRef(ctx, hostStep.kind, value as Record<string, unknown>, path, hosts, line);
    const call = typeof value === 'string' ? hostRefCall(value) : undefined;
    if (call) return validateHostRef(ctx, hostStep.kind, { [call.ref]: call.target }, path, hosts, line);
    const names = ctx.hostList(value, path, key);
    hostRefs(ctx, hosts, names, path, hostStep.kinds);
    return { kind: hostStep.kind, hosts: names, line };
  }
  switch (key) {
    case 'hog': {
      const obj = ctx.record(value, path, 'hog');
      if (!obj) return undefined;
      ctx.onlyKeys(obj, path, ['procs', 'for']);
      const procs = obj['procs'] === undefined ? undefined : ctx.number(obj['procs'], [...path, 'procs'], 'procs', 1, 256);
      const intervals = ctx.number(obj['for'], [...path, 'for'], 'for (intervals)', 0.1, 10_000);
      if (obj['procs'] !== undefined && procs === undefined) return undefined;
      return intervals === undefined ? undefined : { kind: 'hog', intervals, line, ...(procs !== undefined ? { procs: Math.round(procs) } : {}) };
    }
    case 'say':
      return validateSay(ctx, value, path, hosts, line);
    case 'wait': {
      const obj = ctx.record(value, path, 'wait');
      if (!obj) return undefined;
      const within = obj['within'] === undefined ? DEFAULT_WAIT_INTERVALS : ctx.number(obj['within'], [...path, 'within'], 'within (intervals)', 0.1, 10_000);
      const rest = Object.fromEntries(Object.entries(obj).filter(([k]) => k !== 'within'));
      const condition = validateCondition(ctx, rest, path, hosts);
      return condition && within !== undefined ? { kind: 'wait', condition, within, line } : undefined;
    }
    case 'pause': {
      const intervals = ctx.number(value, path, 'pause (intervals)', 0, 10_000);
      return intervals === undefined ? undefined : { kind: 'pause', intervals, line };
    }
    case 'partition': {
      const check = (names: readonly string[], p: ValuePath, kinds?: readonly Kind[]): void => hostRefs(ctx, hosts, names, p, kinds);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return validateCut(ctx, value as Record<string, unknown>, path, check);
      if (!Array.isArray(value) || value.length < 2) {
        ctx.fail(path, 'partition must be a list of at least two groups of host names, or { from: [hosts], to: [hosts] } (one way)');
        return undefined;
      }
      const groups = value.map((g: unknown, i) => ctx.hostList(g, [...path, i], 'a partition group'));
      groups.forEach((g, i) => hostRefs(ctx, hosts, g, [...path, i]));
      const all = groups.flat();
      if (new Set(all).size !== all.length) ctx.fail(path, 'a host appears in two partition groups');
      return { kind: 'partition', groups, line };
    }
    case 'heal':
      return { kind: 'heal', line };
    case 'lobby': {
      const obj = ctx.record(value, path, 'lobby');
      if (!obj) return undefined;
      ctx.onlyKeys(obj, path, ['at', 'sees', 'lacks']);
      const at = ctx.string(obj['at'], [...path, 'at'], 'at (the client whose box and mode the snapshot takes)');
      if (at !== undefined) hostRefs(ctx, hosts, [at], [...path, 'at'], ['client']);
      const list = (k: 'sees' | 'lacks'): string[] => (obj[k] === undefined ? [] : ctx.hostList(obj[k], [...path, k], k));
      const sees = list('sees');
      const lacks = list('lacks');
      hostRefs(ctx, hosts, [...sees, ...lacks], path, ['server', 'client']);
      if (sees.length + lacks.length === 0) ctx.fail(path, 'lobby needs sees or lacks');
      return at === undefined ? undefined : { kind: 'lobby', at, sees, lacks, line };
    }
    default:
      return validateFaultStep(ctx, key, value, path, hosts, (names, p, kinds) => hostRefs(ctx, hosts, names, p, kinds));
  }
}

/** `{ hostOf: X }` or `{ standbyOf: X }` (or `hostOf(X)`): exactly one of them, X a client or a channel. */
function validateHostRef(ctx: ValidationContext, kind: HostStep['kind'], obj: Record<string, unknown>, path: ValuePath, hosts: Hosts, line: number): Step | undefined {
  ctx.onlyKeys(obj, path, HOST_REFS);
  const refs = HOST_REFS.filter((r) => obj[r] !== undefined);
  if (refs.length !== 1) {
    ctx.fail(path, `a host step names hosts, or has exactly one of: ${HOST_REFS.join(', ')}`);
    return undefined;
  }
  const ref = refs[0] as (typeof HOST_REFS)[number];
  const client = ctx.string(obj[ref], [...path, ref], ref);
  if (client === undefined) return undefined;
  refTarget(ctx, hosts, client, [...path, ref]);
  return { kind, hosts: [], [ref]: client, line };
}

function validateSay(ctx: ValidationContext, value: unknown, path: ValuePath, hosts: Hosts, line: number): Step | undefined {
  const obj = ctx.record(value, path, 'say');
  if (!obj) return undefined;
  ctx.onlyKeys(obj, path, ['from', 'text', 'count', 'rate']);
  const authors = ctx.hostList(obj['from'], [...path, 'from'], 'from');
  hostRefs(ctx, hosts, authors, [...path, 'from'], ['client']);
  let texts: (from: string) => string[] = () => [];
  if (obj['text'] !== undefined) {
    const given = ctx.stringList(obj['text'], [...path, 'text'], 'text');
    if (given.some((t) => t.includes('\n'))) ctx.fail([...path, 'text'], 'a post is one line: no newlines');
    texts = () => given;
  } else if (obj['count'] !== undefined) {
    const count = ctx.number(obj['count'], [...path, 'count'], 'count', 1, 100_000) ?? 0;
    // Generated texts carry the step's line so they are unique across the scenario.
    texts = (from) => Array.from({ length: count }, (_, i) => `${from} L${line} #${i + 1}`);
  } else ctx.fail(path, 'say needs text or count');
  const rate = obj['rate'] === undefined ? undefined : ctx.number(obj['rate'], [...path, 'rate'], 'rate (posts per second per author)', 0.1, MAX_SAY_RATE);
  const posts = authors.flatMap((from) => texts(from).map((text) => ({ from, text })));
  if (posts.length === 0 || (obj['rate'] !== undefined && rate === undefined)) return undefined;
  return { kind: 'say', posts, line, ...(rate !== undefined ? { rate } : {}) };
}

/** Validates one condition mapping (the part of a wait or expect entry besides `within`). */
export function validateCondition(ctx: ValidationContext, obj: Record<string, unknown>, path: ValuePath, hosts: Hosts): Condition | undefined {
  const key = Object.keys(obj).find((k) => CONDITION_KEYS.includes(k));
  if (key === undefined) {
    const typo = Object.keys(obj).flatMap((k) => (k === 'host' ? [] : [didYouMean(k, CONDITION_KEYS)])).find((t) => t !== '');
    ctx.fail(path, `a condition needs one of: ${CONDITION_KEYS.join(', ')}${typo ?? ''}`);
    return undefined;
  }
  const p = [...path, key];
  const v = obj[key];
  const host = (): string | undefined => {
    if (obj['host'] === undefined) return undefined;
    const h = ctx.string(obj['host'], [...path, 'host'], 'host');
    if (h !== undefined) hostRefs(ctx, hosts, [h], [...path, 'host'], ['server', 'client']);
    return h;
  };
  switch (key) {
    case 'listening':
    case 'exited': {
      ctx.onlyKeys(obj, path, [key]);
      const names = ctx.hostList(v, p, key);
      hostRefs(ctx, hosts, names, p, key === 'listening' ? ['server'] : undefined);
      return { kind: key, hosts: names };
    }
    case 'joined':
    case 'failover':
    case 'converged': {
      // Role selectors allowed here: `survivors` in the list, `anyClient` as host (selectors.ts).
      ctx.onlyKeys(obj, path, [key, 'host']);
      const names = clientList(ctx, hosts, v, p, key);
      const h = obj['host'] === undefined ? undefined : conditionHost(ctx, hosts, obj['host'], [...path, 'host']);
      return { kind: key, hosts: names, ...(h !== undefined ? { host: h } : {}) };
    }
    case 'delivered':
      ctx.onlyKeys(obj, path, [key]);
      return { kind: 'delivered' };
    default: {
      ctx.onlyKeys(obj, path, ['event', 'host', 'fields']);
      const event = ctx.string(v, p, 'event');
      const h = host();
      if (h === undefined) ctx.fail(path, 'an event condition needs host');
      const fields = obj['fields'] === undefined ? {} : (ctx.record(obj['fields'], [...path, 'fields'], 'fields') ?? {});
      for (const [k, f] of Object.entries(fields)) {
        if (!['string', 'number', 'boolean'].includes(typeof f)) ctx.fail([...path, 'fields', k], 'a field value must be a string, number or boolean');
      }
      return event === undefined || h === undefined ? undefined : { kind: 'event', host: h, event, fields: fields as Record<string, string> };
    }
  }
}
