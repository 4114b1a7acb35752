/** Evaluates wait/expect conditions against the log so far: pure, re-run on every new event. */
import type { Condition } from '../scenario/types.js';
import { checkExactlyOnce, postsOf, presentClients, seenBy } from './delivery.js';
import { FAULT_EVENTS, clientView, latestStart, type SimEvent } from './log.js';
import { hostMatches, resolveClients } from './roles.js';

/** Whether a condition holds, and if not, what is still missing. */
export interface ConditionResult {
  readonly ok: boolean;
  readonly detail: string;
}

/** Faults besides kill/freeze/stop after which members may fail over: network, CPU, disk and clock. */
const OTHER_FAULTS = ['partition', 'heal', 'netem', 'starve', 'disk-full', 'clock'];

/** Index of the latest fault netsim caused, or -1. */
export function lastFaultIndex(log: readonly SimEvent[]): number {
  for (let i = log.length - 1; i >= 0; i--) {
    const e = log[i] as SimEvent;
    if (e.source === 'netsim' && ((FAULT_EVENTS as readonly string[]).includes(e.event) || OTHER_FAULTS.includes(e.event))) return i;
  }
  return -1;
}

function hasSinceStart(log: readonly SimEvent[], host: string, event: string, source: SimEvent['source'], match: (e: SimEvent) => boolean = () => true): boolean {
  const start = latestStart(log, host);
  if (start < 0) return false;
  for (let i = start + 1; i < log.length; i++) {
    const e = log[i] as SimEvent;
    if (e.host === host && e.source === source && e.event === event && match(e)) return true;
  }
  return false;
}

const done = (missing: string[], what: string): ConditionResult => ({ ok: missing.length === 0, detail: missing.length === 0 ? 'ok' : `${what}: ${missing.join(', ')}` });

/** Evaluates `cond` on `log`. `channelOf` maps every client to its channel. */
export function evaluateCondition(cond: Condition, log: readonly SimEvent[], channelOf: ReadonlyMap<string, string>): ConditionResult {
  switch (cond.kind) {
    case 'listening':
      return done(cond.hosts.filter((h) => !hasSinceStart(log, h, 'listening', 'app')), 'not listening');
    case 'exited':
      return done(cond.hosts.filter((h) => !hasSinceStart(log, h, 'exit', 'netsim')), 'still running');
    case 'joined': {
      const clients = resolveClients(cond.hosts, log, channelOf);
      if (clients.length === 0) return { ok: false, detail: 'no surviving client' };
      return done(
        clients.filter((c) => {
          const v = clientView(log, c);
          return !v.alive || v.host === undefined || !hostMatches(cond.host, v.host, channelOf);
        }).map((c) => `${c}${describeHost(log, c)}`),
        cond.host === undefined ? 'not joined' : `not joined on ${cond.host}`,
      );
    }
    case 'failover': {
      const fault = lastFaultIndex(log);
      const clients = resolveClients(cond.hosts, log, channelOf);
      if (clients.length === 0) return { ok: false, detail: 'no surviving client' };
      return done(
        clients.filter((c) => {
          const v = clientView(log, c);
          const failed = log.some((e, i) => i > Math.max(fault, v.startIndex) && e.host === c && e.source === 'app' && e.event === 'failover');
          return !v.alive || !failed || !hostMatches(cond.host, v.host, channelOf);
        }).map((c) => `${c}${describeHost(log, c)}`),
        cond.host === undefined ? 'no failover' : `no failover to ${cond.host}`,
      );
    }
    case 'converged': {
      const clients = resolveClients(cond.hosts, log, channelOf);
      const hosts = new Set(clients.map((c) => clientView(log, c).host));
      const one = [...hosts][0];
      const ok = hosts.size === 1 && one !== undefined && hostMatches(cond.host, one, channelOf);
      const where = cond.host === undefined ? '' : ` (wanted on ${cond.host})`;
      return { ok, detail: ok ? 'ok' : clients.length === 0 ? 'no surviving client' : `hosts differ${where}: ${clients.map((c) => `${c}${describeHost(log, c)}`).join(', ')}` };
    }
    case 'delivered':
      return deliveredSoFar(log, channelOf);
    case 'event':
      return {
        ok: hasSinceStart(log, cond.host, cond.event, 'app', (e) => Object.entries(cond.fields).every(([k, v]) => e.data[k] === v)),
        detail: `no "${cond.event}" event from ${cond.host}`,
      };
  }
}

function describeHost(log: readonly SimEvent[], client: string): string {
  const v = clientView(log, client);
  return !v.alive ? ' (not running)' : v.host === undefined ? ' (no host)' : ` (on ${v.host})`;
}

/** Authors whose paced `say` (a `burst` event) has not ended yet: more posts are to come. */
export function burstsUnderway(log: readonly SimEvent[]): string[] {
  const open = new Map<string, number>();
  for (const e of log) {
    if (e.source !== 'netsim' || (e.event !== 'burst' && e.event !== 'burst-end')) continue;
    const key = `${e.host} (line ${String(e.data['line'])})`;
    open.set(key, (open.get(key) ?? 0) + (e.event === 'burst' ? 1 : -1));
  }
  return [...open].filter(([, n]) => n > 0).map(([k]) => k);
}

/** Every post so far seen by every present member of its channel (duplicates fail too). */
function deliveredSoFar(log: readonly SimEvent[], channelOf: ReadonlyMap<string, string>): ConditionResult {
  const posting = burstsUnderway(log);
  if (posting.length > 0) return { ok: false, detail: `still posting: ${posting.join(', ')}` };
  const present = presentClients(log, channelOf);
  const seen = new Map(present.map((c) => [c, new Set(seenBy(log, c).map((s) => s.key))]));
  const missing: string[] = [];
  for (const p of postsOf(log, channelOf)) {
    const key = `${p.author}: ${JSON.stringify(p.text)}`;
    for (const c of present) {
      if (channelOf.get(c) === p.channel && !seen.get(c)?.has(key)) missing.push(`${c} lacks ${key}`);
    }
  }
  if (missing.length > 0) return { ok: false, detail: `${missing.length} deliveries missing, e.g. ${missing.slice(0, 3).join('; ')}` };
  const once = checkExactlyOnce(log, channelOf);
  return { ok: once.ok, detail: once.ok ? 'ok' : once.problems.join('; ') };
}
