/** The `expect:` entries of a scenario, checked on the recorded run. */
import { checkNoAckedPostLost } from '../checks/acked.js';
import { evaluateCondition } from '../checks/conditions.js';
import { describeCondition, duration, names } from '../checks/describe.js';
import { checkExactlyOnce, checkHistory } from '../checks/delivery.js';
import { measureFailovers } from '../checks/failover-time.js';
import type { SimEvent } from '../checks/log.js';
import { checkNeverSplit, checkNoFailover, checkOneHost } from '../checks/one-host.js';
import { checkAnnouncedBy, checkNoPrivateNames, type WireRecord } from '../checks/wire.js';
import type { Expectation, Scenario } from '../scenario/types.js';
import type { CapturedWire } from '../backend/types.js';
import { checkAttacksFailed } from '../checks/attacks.js';
import { checkNoPlaintext, knownPlaintext } from '../checks/plaintext.js';
import type { CheckOutcome } from './result.js';

/** What the final checks look at. */
export interface RecordedRun {
  readonly scenario: Scenario;
  readonly events: readonly SimEvent[];
  readonly channelOf: ReadonlyMap<string, string>;
  readonly records: readonly WireRecord[];
  /** ms since the run started, when the checks run. */
  readonly now: number;
  /** The capture of every frame on the wire, when the backend made one (noPlaintext). */
  readonly capture?: () => CapturedWire | undefined;
}

/** Checks one expectation; the check is named by what it asserts (the line is kept apart). */
export function expectation(x: Expectation, run: RecordedRun): CheckOutcome {
  const { scenario, events, channelOf, records, now } = run;
  const named = (name: string, r: { ok: boolean; problems: readonly string[] }): CheckOutcome => ({ name, line: x.line, ok: r.ok, problems: r.problems });
  const failovers = () => measureFailovers(events, [...channelOf.keys()], scenario.announceIntervalMs);
  const window = (n: number): string => `in the last ${n} interval${n === 1 ? '' : 's'}`;
  switch (x.kind) {
    case 'condition': {
      const r = evaluateCondition(x.condition, events, channelOf);
      return named(`${describeCondition(x.condition)} at the end`, { ok: r.ok, problems: r.ok ? [] : [r.detail] });
    }
    case 'exactlyOnce':
      return named("every post reached every member exactly once, in the host's order", checkExactlyOnce(events, channelOf));
    case 'noAckedPostLost':
      return named('no acknowledged post lost: each reached every surviving reader once', checkNoAckedPostLost(events, channelOf));
    case 'history':
      return named(`${names(x.hosts)} got every earlier post as history`, checkHistory(events, channelOf, x.hosts));
    case 'noPrivateNames': {
      const privates = [...new Set(channelOf.values())].filter((c) => c.startsWith('@'));
      const name = `no datagram names ${privates.length > 0 ? names(privates) : 'a private channel'}`;
      // A check that saw no traffic proves nothing: say so instead of passing.
      if (records.length === 0) return named(name, { ok: false, problems: ['no datagram was recorded'] });
      return named(name, checkNoPrivateNames(records, privates));
    }
    case 'failoverWithin': {
      const m = failovers();
      const problems = m.length === 0 ? ['no failover was measured'] : m.filter((f) => f.intervals === undefined || f.intervals > x.intervals).map((f) => `${f.fault} of ${f.host} at ${f.at} ms: ${f.healedMs === undefined ? 'never healed' : `${f.healedMs} ms = ${f.intervals?.toFixed(1)} intervals`}`);
      const worst = Math.max(...m.map((f) => f.healedMs ?? Infinity));
      const affected = [...new Set(m.flatMap((f) => f.affected))];
      const took = m.length > 0 && Number.isFinite(worst) ? `: ${duration(worst)}` : '';
      return named(`${affected.length > 0 ? names(affected) : 'members'} rejoined within ${x.intervals} intervals${took}`, { ok: problems.length === 0, problems });
    }
    case 'failoverNotBefore': {
      // Proves the slow path: members must not give up on a host that only went quiet too early.
      const m = failovers();
      const problems = m.length === 0 ? ['no failover was measured'] : m.filter((f) => f.intervals !== undefined && f.intervals < x.intervals).map((f) => `${f.fault} of ${f.host}: healed after ${f.intervals?.toFixed(1)} intervals`);
      const first = Math.min(...m.map((f) => f.healedMs ?? Infinity));
      return named(`no member rejoined before ${x.intervals} intervals${Number.isFinite(first) ? `: first after ${duration(first)}` : ''}`, { ok: problems.length === 0, problems });
    }
    case 'announcedBy':
      // The window ends now (after any final pause), not at the last event.
      return named(`only ${names(x.by)} announced ${x.channel} ${window(x.intervals)}`, checkAnnouncedBy(records, x.channel, x.by, now - x.intervals * scenario.announceIntervalMs));
    case 'oneHost':
      return named(`one host announced ${x.channel} ${window(x.intervals)}, every member on it`, checkOneHost(records, events, channelOf, x.channel, now - x.intervals * scenario.announceIntervalMs));
    case 'noFailover':
      return named('no member failed over or changed host', checkNoFailover(events, [...channelOf.keys()]));
    case 'noPlaintext': {
      const specs = [...scenario.hosts.values()];
      const clients = specs.flatMap((h) => (h.kind === 'client' ? [h] : []));
      const hostile = specs.filter((h) => h.kind === 'hostile').map((h) => h.name);
      const r = checkNoPlaintext(run.capture?.(), knownPlaintext(events, clients), hostile);
      return named(`no post, channel name, nick or peer ID in clear on the wire (${r.checked} strings searched in ${r.frames ?? 0} frames)`, r);
    }
    case 'attacksFailed': {
      const hostile = x.hosts.flatMap((n) => {
        const h = scenario.hosts.get(n);
        return h?.kind === 'hostile' ? [{ name: n, attacks: h.attacks }] : [];
      });
      const attacks = [...new Set(hostile.flatMap((h) => h.attacks))].filter((a) => a !== 'garbage');
      return named(`${names(x.hosts)}'s ${attacks.join(', ')} failed: tried, never worked, no member chose, followed or read ${names(x.hosts)}`, checkAttacksFailed(events, hostile, [...channelOf.keys()]));
    }
    case 'neverJoined': {
      const joins = events.filter((e) => e.source === 'app' && x.hosts.includes(e.host) && (e.event === 'joined' || e.event === 'failover'));
      const started = x.hosts.filter((h) => events.some((e) => e.host === h && e.source === 'netsim' && e.event === 'start'));
      const problems = [...x.hosts.filter((h) => !started.includes(h)).map((h) => `${h} never started, so this proves nothing`), ...joins.map((e) => `${e.host} ${e.event === 'joined' ? 'joined' : 'failed over to'} ${String(e.data['host'])} at ${e.t} ms`)];
      return named(`${names(x.hosts)} never joined a channel`, { ok: problems.length === 0, problems });
    }
    case 'neverSplit': {
      const name = `${names(x.channels)} never announced by two hosts at once`;
      if (records.length === 0) return named(name, { ok: false, problems: ['no datagram was recorded'] });
      return named(name, checkNeverSplit(records, events, x.channels, scenario.announceIntervalMs));
    }
  }
}
