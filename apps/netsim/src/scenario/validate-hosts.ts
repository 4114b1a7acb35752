/** Validates the `hosts:` mapping of a scenario. */
import type { ValidationContext } from './context.js';
import { DEFAULT_HOSTILE_RATE, HOSTILE_ATTACKS, type HostSpec, type HostileAttack } from './types.js';

const COMMON_KEYS = ['kind', 'args'];
const SERVER_KEYS = [...COMMON_KEYS, 'standbyFor', 'dataDir', 'secure'];
const CLIENT_KEYS = [...COMMON_KEYS, 'channel', 'server', 'nick', 'noHost', 'count', 'secure'];
/** Most clients one `count:` may make. @default 500 */
export const MAX_GROUP_COUNT = 500;
const HOSTILE_KEYS = ['kind', 'targets', 'rate', 'attacks', 'victim', 'sealKey'];

/** Turns the raw `hosts` value into host specs; errors go to `ctx`. */
export function validateHosts(ctx: ValidationContext, raw: unknown): Map<string, HostSpec> {
  const hosts = new Map<string, HostSpec>();
  const obj = ctx.record(raw, ['hosts'], 'hosts');
  if (!obj) return hosts;
  if (Object.keys(obj).length === 0) ctx.fail(['hosts'], 'hosts must name at least one host');
  for (const [name, value] of Object.entries(obj)) {
    const path = ['hosts', name];
    if (!ctx.hostName(name, path)) continue;
    const spec = validateHost(ctx, name, value, path);
    if (!spec) continue;
    const count = (value as Record<string, unknown>)['count'];
    if (spec.kind === 'client' && count !== undefined) {
      // `count: N` makes clients name1…nameN, each its own process, nick and peer ID.
      const n = ctx.number(count, [...path, 'count'], 'count', 1, MAX_GROUP_COUNT) ?? 0;
      const members = Array.from({ length: n }, (_, i) => `${name}${i + 1}`);
      ctx.groups.set(name, members);
      for (const m of members) if (ctx.hostName(m, path)) hosts.set(m, { ...spec, name: m, nick: m });
    } else hosts.set(name, spec);
  }
  // Cross references need every host first.
  for (const spec of hosts.values()) {
    const path = ['hosts', spec.name];
    if (spec.kind === 'client' && spec.server !== undefined && hosts.get(spec.server)?.kind !== 'server') {
      ctx.fail([...path, 'server'], `server "${spec.server}" is not a server host`);
    }
    if (spec.kind === 'server' && Array.isArray(spec.standbyFor)) {
      for (const id of spec.standbyFor as readonly string[]) {
        if (hosts.get(id)?.kind !== 'server') ctx.fail([...path, 'standbyFor'], `standbyFor "${id}" is not a server host`);
      }
    }
    if (spec.kind === 'hostile') {
      for (const id of spec.targets) {
        if (hosts.get(id)?.kind !== 'server') ctx.fail([...path, 'targets'], `target "${id}" is not a server host`);
      }
      if (spec.victim !== undefined && hosts.get(spec.victim)?.kind !== 'client') ctx.fail([...path, 'victim'], `victim "${spec.victim}" is not a client host`);
      const aimed = spec.attacks.filter((a) => a !== 'garbage');
      if (aimed.length > 0 && (spec.victim === undefined || spec.targets.length === 0)) ctx.fail([...path, 'attacks'], `${aimed.join(', ')} need a victim (a client) and targets (its server)`);
    }
  }
  return hosts;
}

function validateHost(ctx: ValidationContext, name: string, value: unknown, path: string[]): HostSpec | undefined {
  const obj = ctx.record(value, path, `host "${name}"`);
  if (!obj) return undefined;
  const args = obj['args'] === undefined ? [] : ctx.stringList(obj['args'], [...path, 'args'], 'args');
  switch (obj['kind']) {
    case 'server': {
      ctx.onlyKeys(obj, path, SERVER_KEYS);
      const sf = obj['standbyFor'];
      const standbyFor = sf === undefined ? undefined : sf === 'all' ? ('all' as const) : ctx.stringList(sf, [...path, 'standbyFor'], 'standbyFor');
      const dataDir = obj['dataDir'] === undefined ? false : (ctx.bool(obj['dataDir'], [...path, 'dataDir'], 'dataDir') ?? false);
      return { kind: 'server', name, dataDir, args, ...(standbyFor ? { standbyFor } : {}), ...secureOf(ctx, obj, path) };
    }
    case 'client': {
      ctx.onlyKeys(obj, path, CLIENT_KEYS);
      const channel = ctx.channelName(obj['channel'], [...path, 'channel']);
      const server = obj['server'] === undefined ? undefined : ctx.string(obj['server'], [...path, 'server'], 'server');
      const nick = obj['nick'] === undefined ? name : (ctx.string(obj['nick'], [...path, 'nick'], 'nick') ?? name);
      const noHost = obj['noHost'] === undefined ? false : (ctx.bool(obj['noHost'], [...path, 'noHost'], 'noHost') ?? false);
      if (channel === undefined) return undefined;
      return { kind: 'client', name, channel, nick, noHost, args, ...(server ? { server } : {}), ...secureOf(ctx, obj, path) };
    }
    case 'hostile': {
      ctx.onlyKeys(obj, path, HOSTILE_KEYS);
      const targets = obj['targets'] === undefined ? [] : ctx.stringList(obj['targets'], [...path, 'targets'], 'targets');
      const rate = obj['rate'] === undefined ? DEFAULT_HOSTILE_RATE : (ctx.number(obj['rate'], [...path, 'rate'], 'rate', 1, 10_000) ?? DEFAULT_HOSTILE_RATE);
      const attacks = obj['attacks'] === undefined ? (['garbage'] as const) : ctx.stringList(obj['attacks'], [...path, 'attacks'], 'attacks');
      for (const a of attacks) if (!(HOSTILE_ATTACKS as readonly string[]).includes(a)) ctx.fail([...path, 'attacks'], `unknown attack "${a}" (one of: ${HOSTILE_ATTACKS.join(', ')})`);
      const victim = obj['victim'] === undefined ? undefined : ctx.string(obj['victim'], [...path, 'victim'], 'victim');
      const sealKey = obj['sealKey'] ?? 'none';
      if (sealKey !== 'none' && sealKey !== 'wrong') ctx.fail([...path, 'sealKey'], 'sealKey is none or wrong');
      return { kind: 'hostile', name, targets, rate, attacks: attacks as HostileAttack[], sealKey: sealKey === 'wrong' ? 'wrong' : 'none', ...(victim !== undefined ? { victim } : {}) };
    }
    default:
      ctx.fail([...path, 'kind'], `kind must be server, client or hostile`);
      return undefined;
  }
}

/** A host's own `secure: true|false`, overriding the scenario's (a mixed LAN). */
function secureOf(ctx: ValidationContext, obj: Record<string, unknown>, path: string[]): { secure?: boolean } {
  if (obj['secure'] === undefined) return {};
  const v = ctx.bool(obj['secure'], [...path, 'secure'], 'secure');
  return v === undefined ? {} : { secure: v };
}
