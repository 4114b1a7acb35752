/** Validation of the role selectors (selectors.ts) where conditions and host steps accept them. */
import type { ValidationContext } from './context.js';
import { ANY_CLIENT, survivorsSelector } from './selectors.js';
import type { HostSpec } from './types.js';
import type { ValuePath } from './yaml-source.js';

type Hosts = ReadonlyMap<string, HostSpec>;

/** Whether some client of the scenario is on `channel`. */
function channelUsed(hosts: Hosts, channel: string): boolean {
  return [...hosts.values()].some((h) => h.kind === 'client' && h.channel === channel);
}

/** A condition's client list: client names, `group*`, or `survivors` / `survivors(#channel)`. */
export function clientList(ctx: ValidationContext, hosts: Hosts, value: unknown, path: ValuePath, what: string): string[] {
  const raw = ctx.stringList(value, path, what);
  const plain = raw.filter((n) => survivorsSelector(n) === undefined);
  for (const n of raw) {
    const ch = survivorsSelector(n)?.channel;
    if (ch !== undefined && !channelUsed(hosts, ch)) ctx.fail(path, `no client is on channel "${ch}" (in ${n})`);
  }
  const names = plain.length > 0 ? ctx.hostList(plain, path, what) : [];
  for (const n of names) {
    const h = hosts.get(n);
    if (!h) ctx.fail(path, `unknown host "${n}"`);
    else if (h.kind !== 'client') ctx.fail(path, `host "${n}" is a ${h.kind}, expected client`);
  }
  return [...raw.filter((n) => survivorsSelector(n) !== undefined), ...names];
}

/** A condition's `host:`: a server or client name, or `anyClient`. */
export function conditionHost(ctx: ValidationContext, hosts: Hosts, value: unknown, path: ValuePath): string | undefined {
  const h = ctx.string(value, path, 'host');
  if (h === undefined || h === ANY_CLIENT) return h;
  const spec = hosts.get(h);
  if (!spec) ctx.fail(path, `unknown host "${h}" (or ${ANY_CLIENT}: any client's embedded host)`);
  else if (spec.kind === 'hostile') ctx.fail(path, `host "${h}" is a hostile, expected server or client`);
  return h;
}

/** The target of `hostOf` / `standbyOf`: a client, or a channel some client is on. */
export function refTarget(ctx: ValidationContext, hosts: Hosts, target: string, path: ValuePath): void {
  if (target.startsWith('#') || target.startsWith('@')) {
    if (!channelUsed(hosts, target)) ctx.fail(path, `no client is on channel "${target}"`);
    return;
  }
  const h = hosts.get(target);
  if (!h) ctx.fail(path, `unknown host "${target}"`);
  else if (h.kind !== 'client') ctx.fail(path, `host "${target}" is a ${h.kind}, expected a client or a channel`);
}
