/** Validates the `expect:` list of a scenario: final checks on the recorded run. */
import type { ValidationContext } from './context.js';
import { didYouMean } from './suggest.js';
import type { ValuePath } from './yaml-source.js';
import { hostRefs, validateCondition } from './validate-steps.js';
import type { Expectation, HostSpec } from './types.js';

type Hosts = ReadonlyMap<string, HostSpec>;

/** Keys that start an expectation of their own. */
const OWN_KEYS = ['exactlyOnce', 'noAckedPostLost', 'history', 'noPrivateNames', 'failoverWithin', 'failoverNotBefore', 'announced', 'oneHost', 'noFailover', 'neverSplit', 'noPlaintext', 'attacksFailed', 'neverJoined'];
/** Expectations that take `true` and nothing else. */
const FLAG_KEYS = ['exactlyOnce', 'noAckedPostLost', 'noPrivateNames', 'noFailover', 'noPlaintext'] as const;
/** Words of a condition entry (checked once at the end). */
const CONDITION_WORDS = ['listening', 'joined', 'failover', 'converged', 'delivered', 'exited', 'event', 'host', 'fields'];
/** Every word an `expect:` entry may start with, for "did you mean". */
const EXPECT_KEYS = [...OWN_KEYS, ...CONDITION_WORDS.filter((k) => k !== 'host' && k !== 'fields')];

/** Window of the wire checks on the run's end, in intervals. @default 3 */
const DEFAULT_WIRE_WINDOW = 3;

/** Validates the `expect:` list. */
export function validateExpect(ctx: ValidationContext, raw: unknown, hosts: Hosts): Expectation[] {
  const out: Expectation[] = [];
  if (raw === undefined) return out;
  if (!Array.isArray(raw)) {
    ctx.fail(['expect'], 'expect must be a list');
    return out;
  }
  raw.forEach((item: unknown, i) => {
    const path = ['expect', i];
    const obj = ctx.record(item, path, 'an expectation');
    if (!obj) return;
    const x = validateExpectation(ctx, obj, path, hosts);
    if (x) out.push(x);
  });
  return out;
}

function validateExpectation(ctx: ValidationContext, obj: Record<string, unknown>, path: ValuePath, hosts: Hosts): Expectation | undefined {
  const line = ctx.line(path);
  const window = (): number | undefined => (obj['intervals'] === undefined ? DEFAULT_WIRE_WINDOW : ctx.number(obj['intervals'], [...path, 'intervals'], 'intervals', 1, 1000));
  const flag = FLAG_KEYS.find((k) => k in obj);
  if (flag !== undefined) {
    ctx.onlyKeys(obj, path, [flag]);
    if (obj[flag] !== true) ctx.fail([...path, flag], `${flag} takes true`);
    return { kind: flag, line };
  }
  if ('history' in obj) {
    ctx.onlyKeys(obj, path, ['history']);
    const names = ctx.hostList(obj['history'], [...path, 'history'], 'history');
    hostRefs(ctx, hosts, names, [...path, 'history'], ['client']);
    return { kind: 'history', hosts: names, line };
  }
  if ('attacksFailed' in obj) {
    ctx.onlyKeys(obj, path, ['attacksFailed']);
    const names = ctx.hostList(obj['attacksFailed'], [...path, 'attacksFailed'], 'attacksFailed');
    hostRefs(ctx, hosts, names, [...path, 'attacksFailed'], ['hostile']);
    return { kind: 'attacksFailed', hosts: names, line };
  }
  if ('neverJoined' in obj) {
    ctx.onlyKeys(obj, path, ['neverJoined']);
    const names = ctx.hostList(obj['neverJoined'], [...path, 'neverJoined'], 'neverJoined');
    hostRefs(ctx, hosts, names, [...path, 'neverJoined'], ['client']);
    return { kind: 'neverJoined', hosts: names, line };
  }
  if ('announced' in obj) {
    ctx.onlyKeys(obj, path, ['announced', 'by', 'intervals']);
    const channel = ctx.channelName(obj['announced'], [...path, 'announced']);
    const by = ctx.hostList(obj['by'], [...path, 'by'], 'by');
    hostRefs(ctx, hosts, by, [...path, 'by'], ['server', 'client']);
    const intervals = window();
    return channel !== undefined && intervals !== undefined ? { kind: 'announcedBy', channel, by, intervals, line } : undefined;
  }
  if ('oneHost' in obj) {
    ctx.onlyKeys(obj, path, ['oneHost', 'intervals']);
    const channel = ctx.channelName(obj['oneHost'], [...path, 'oneHost']);
    const intervals = window();
    return channel !== undefined && intervals !== undefined ? { kind: 'oneHost', channel, intervals, line } : undefined;
  }
  if ('neverSplit' in obj) {
    ctx.onlyKeys(obj, path, ['neverSplit']);
    return validateNeverSplit(ctx, obj['neverSplit'], [...path, 'neverSplit'], hosts, line);
  }
  if ('failoverWithin' in obj || 'failoverNotBefore' in obj) {
    const kind = 'failoverWithin' in obj ? 'failoverWithin' : 'failoverNotBefore';
    ctx.onlyKeys(obj, path, [kind]);
    const n = ctx.number(obj[kind], [...path, kind], `${kind} (intervals)`, 0, 10_000);
    return n === undefined ? undefined : { kind, intervals: n, line };
  }
  const unknown = Object.keys(obj).filter((k) => !CONDITION_WORDS.includes(k));
  if (unknown.length === Object.keys(obj).length) {
    // Neither an expectation nor a condition: name the closest word, then stop.
    ctx.fail(path, `unknown expectation "${unknown[0] ?? ''}"${didYouMean(unknown[0] ?? '', EXPECT_KEYS)} (expected one of: ${EXPECT_KEYS.join(', ')})`);
    return undefined;
  }
  const condition = validateCondition(ctx, obj, path, hosts);
  return condition ? { kind: 'condition', condition, line } : undefined;
}

/** `neverSplit: true` watches every public channel of the scenario's clients; or name them. */
function validateNeverSplit(ctx: ValidationContext, value: unknown, path: ValuePath, hosts: Hosts, line: number): Expectation | undefined {
  if (value === true) {
    const channels = [...new Set([...hosts.values()].flatMap((h) => (h.kind === 'client' && h.channel.startsWith('#') ? [h.channel] : [])))];
    if (channels.length === 0) ctx.fail(path, 'neverSplit: true needs a client on a public channel');
    return { kind: 'neverSplit', channels, line };
  }
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]) : undefined;
  if (list === undefined) {
    ctx.fail(path, 'neverSplit is true, a channel name or a list of them');
    return undefined;
  }
  const channels = list.flatMap((c, i) => {
    const name = ctx.channelName(c, typeof value === 'string' ? path : [...path, i]);
    return name === undefined ? [] : [name];
  });
  return channels.length === list.length ? { kind: 'neverSplit', channels, line } : undefined;
}
