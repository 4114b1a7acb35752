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

/** netsim actions that end a member: it has no failover to make. */
const ENDS: readonly string[] = ['leave', ...FAULT_EVENTS];

/** Whether netsim told `client` to leave (EOF) since its latest start, up to log index `upTo`. */
function leaving(log: readonly SimEvent[], client: string, upTo: number): boolean {
  const start = latestStart(log, client, upTo);
  return log.some((x, j) => j > start && j <= upTo && x.host === client && x.source === 'netsim' && x.event === 'leave');
}

/** Measures every kill/freeze/stop of a host that some client had as its channel host. */
export function measureFailovers(log: readonly SimEvent[], clients: readonly string[], intervalMs: number): FailoverMeasure[] {
  const out: FailoverMeasure[] = [];
  log.forEach((e, i) => {
    if (e.source !== 'netsim' || !(FAULT_EVENTS as readonly string[]).includes(e.event)) return;
    const affected = clients.filter((c) => c !== e.host && clientView(log, c, i).alive && clientView(log, c, i).host === e.host && !leaving(log, c, i));
    if (affected.length === 0) return;
    let healed: number | undefined = e.t;
    for (const c of affected) {
      const back = log.find((x, j) => j > i && x.host === c && ((x.source === 'app' && (x.event === 'failover' || x.event === 'joined') && x.data['host'] !== e.host) || (x.source === 'netsim' && ENDS.includes(x.event))));
      // A member netsim made leave or killed has nothing to heal (an exit at teardown does not count).
      if (back?.source === 'netsim') continue;
      if (!back) {
        healed = undefined;
        break;
      }
      healed = Math.max(healed, back.t);
    }
    const healedMs = healed === undefined ? undefined : healed - e.t;
    out.push({ fault: e.event, host: e.host, at: e.t, affected, healedMs, intervals: healedMs === undefined ? undefined : healedMs / intervalMs });
  });
  return out;
}
