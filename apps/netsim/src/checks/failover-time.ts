/** Failover time: from a fault netsim caused to the moment every member it cut off rejoined. */
import { FAULT_EVENTS, clientView, latestStart, type SimEvent } from './log.js';

/** The healing of one fault. `healedMs` is undefined when some member never rejoined. */
export interface FailoverMeasure {
  readonly fault: string;
  readonly host: string;
  readonly at: number;
  /** Clients whose channel host was the faulted host. */
  readonly affected: readonly string[];
  readonly healedMs: number | undefined;
  readonly intervals: number | undefined;
}

/** Faults whose healing is measured. */
const MEASURED = [...FAULT_EVENTS, 'partition'] as const;

/** netsim actions that end a member: it has no failover to make. */
const ENDS: readonly string[] = ['leave', ...FAULT_EVENTS];

/** Whether netsim told `client` to leave (EOF) since its latest start, up to log index `upTo`. */
function leaving(log: readonly SimEvent[], client: string, upTo: number): boolean {
  const start = latestStart(log, client, upTo);
  return log.some((x, j) => j > start && j <= upTo && x.host === client && x.source === 'netsim' && x.event === 'leave');
}

/** A list of host names in event data, or none. */
function namesOf(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string') : [];
}

/** The partition groups of a `partition` event (`data.groups`), or none. */
function groupsOf(e: SimEvent): string[][] {
  const g = e.data['groups'];
  return Array.isArray(g) ? g.filter((x): x is string[] => Array.isArray(x) && x.every((n) => typeof n === 'string')) : [];
}

/**
 * The hosts a fault cut members off from, each with its members: the faulted host itself, or for
 * a partition every host some member now sits on the other side of (of a one-way cut: that the
 * member no longer hears).
 */
function cutOff(log: readonly SimEvent[], e: SimEvent, i: number, clients: readonly string[]): { host: string; affected: string[] }[] {
  const live = (c: string) => clientView(log, c, i).alive && !leaving(log, c, i);
  if (e.event !== 'partition') return [{ host: e.host, affected: clients.filter((c) => c !== e.host && live(c) && clientView(log, c, i).host === e.host) }];
  const groups = groupsOf(e);
  const side = (h: string): number => groups.findIndex((g) => g.includes(h));
  // One way (`from` no longer reaches `to`): the members in `to` stop hearing a host in `from`.
  const oneWay = e.data['oneWay'] === true ? { from: namesOf(e.data['from']), to: namesOf(e.data['to']) } : undefined;
  const cut = (c: string, host: string): boolean => (oneWay ? oneWay.to.includes(c) && oneWay.from.includes(host) : side(c) >= 0 && side(host) >= 0 && side(c) !== side(host));
  const byHost = new Map<string, string[]>();
  for (const c of clients) {
    const host = clientView(log, c, i).host;
    if (host === undefined || host === c || !live(c) || !cut(c, host)) continue;
    byHost.set(host, [...(byHost.get(host) ?? []), c]);
  }
  return [...byHost].map(([host, affected]) => ({ host, affected }));
}

/** Measures every kill/freeze/stop of a host that some client had as its channel host, and every partition that cut members off from theirs. */
export function measureFailovers(log: readonly SimEvent[], clients: readonly string[], intervalMs: number): FailoverMeasure[] {
  const out: FailoverMeasure[] = [];
  log.forEach((e, i) => {
    if (e.source !== 'netsim' || !(MEASURED as readonly string[]).includes(e.event)) return;
    for (const { host, affected } of cutOff(log, e, i, clients)) {
      if (affected.length > 0) out.push(measureOne(log, e, i, host, affected, intervalMs));
    }
  });
  return out;
}

/** How long the members `host` lost to fault `e` took to rejoin elsewhere. */
function measureOne(log: readonly SimEvent[], e: SimEvent, i: number, host: string, affected: readonly string[], intervalMs: number): FailoverMeasure {
  let healed: number | undefined = e.t;
  for (const c of affected) {
    const back = log.find((x, j) => j > i && x.host === c && ((x.source === 'app' && (x.event === 'failover' || x.event === 'joined') && x.data['host'] !== host) || (x.source === 'netsim' && ENDS.includes(x.event))));
    // A member netsim made leave or killed has nothing to heal (an exit at teardown does not count).
    if (back?.source === 'netsim') continue;
    if (!back) {
      healed = undefined;
      break;
    }
    healed = Math.max(healed, back.t);
  }
  const healedMs = healed === undefined ? undefined : healed - e.t;
  return { fault: e.event, host, at: e.t, affected, healedMs, intervals: healedMs === undefined ? undefined : healedMs / intervalMs };
}
