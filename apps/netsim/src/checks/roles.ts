/** Run-time answers for the role selectors (scenario/selectors.ts): who survives, who hosts, who stands by. */
import { ANY_CLIENT, survivorsSelector } from '../scenario/selectors.js';
import { clientView, latestStart, type SimEvent } from './log.js';

/** netsim actions after which a client no longer counts as surviving, even before its exit shows. */
const ENDING = ['kill', 'stop', 'leave'];

/** Clients (of `channel`, when given) that run at the end of the log and netsim did not end. */
export function survivingClients(log: readonly SimEvent[], channelOf: ReadonlyMap<string, string>, channel?: string): string[] {
  return [...channelOf].filter(([c, ch]) => {
    if (channel !== undefined && ch !== channel) return false;
    const v = clientView(log, c);
    if (!v.alive) return false;
    return !log.some((e, i) => i > v.startIndex && e.host === c && e.source === 'netsim' && ENDING.includes(e.event));
  }).map(([c]) => c);
}

/** A condition's client list with every `survivors` selector replaced by the clients it names now. */
export function resolveClients(list: readonly string[], log: readonly SimEvent[], channelOf: ReadonlyMap<string, string>): string[] {
  const out = list.flatMap((n) => {
    const s = survivorsSelector(n);
    return s ? survivingClients(log, channelOf, s.channel) : [n];
  });
  return [...new Set(out)];
}

/** Whether `host` fits a condition's `host:` (a name, or `anyClient`: some client's embedded host). */
export function hostMatches(want: string | undefined, host: string | undefined, channelOf: ReadonlyMap<string, string>): boolean {
  if (want === undefined) return true;
  if (host === undefined) return false;
  return want === ANY_CLIENT ? channelOf.has(host) : host === want;
}

/** The host most running members of `channel` are joined on now (ties: the latest joined). */
export function hostOfChannel(log: readonly SimEvent[], channelOf: ReadonlyMap<string, string>, channel: string): string | undefined {
  const votes = new Map<string, number>();
  for (const c of survivingClients(log, channelOf, channel)) {
    const h = clientView(log, c).host;
    if (h !== undefined) votes.set(h, (votes.get(h) ?? 0) + 1);
  }
  const best = Math.max(0, ...votes.values());
  const tied = [...votes].filter(([, n]) => n === best && best > 0).map(([h]) => h);
  if (tied.length <= 1) return tied[0];
  for (let i = log.length - 1; i >= 0; i--) {
    const e = log[i] as SimEvent;
    if (e.source === 'app' && (e.event === 'joined' || e.event === 'failover') && typeof e.data['host'] === 'string' && tied.includes(e.data['host'])) return e.data['host'];
  }
  return tied[0];
}

/** The standby the channel's host last named to one of its running members (docs/protocol.md §5.1), or undefined. */
export function standbyOfChannel(log: readonly SimEvent[], channelOf: ReadonlyMap<string, string>, channel: string): string | undefined {
  const members = new Set(survivingClients(log, channelOf, channel));
  for (let i = log.length - 1; i >= 0; i--) {
    const e = log[i] as SimEvent;
    if (e.source !== 'app' || e.event !== 'standby' || !members.has(e.host) || i < latestStart(log, e.host)) continue;
    // A host naming itself as standby has none.
    return typeof e.data['standby'] === 'string' && e.data['standby'] !== e.data['host'] ? e.data['standby'] : undefined;
  }
  return undefined;
}
