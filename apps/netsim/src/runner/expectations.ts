/** The `expect:` entries of a scenario, checked on the recorded run. */
import { evaluateCondition } from '../checks/conditions.js';
import { checkExactlyOnce, checkHistory } from '../checks/delivery.js';
import { measureFailovers } from '../checks/failover-time.js';
import type { SimEvent } from '../checks/log.js';
import { checkNeverSplit, checkNoFailover, checkOneHost } from '../checks/one-host.js';
import { checkAnnouncedBy, checkNoPrivateNames, type WireRecord } from '../checks/wire.js';
import type { Expectation, Scenario } from '../scenario/types.js';
import type { CheckOutcome } from './result.js';

/** What the final checks look at. */
export interface RecordedRun {
  readonly scenario: Scenario;
  readonly events: readonly SimEvent[];
  readonly channelOf: ReadonlyMap<string, string>;
  readonly records: readonly WireRecord[];
  /** ms since the run started, when the checks run. */
  readonly now: number;
}

/** Checks one expectation. */
export function expectation(x: Expectation, run: RecordedRun): CheckOutcome {
  const { scenario, events, channelOf, records, now } = run;
  const named = (name: string, r: { ok: boolean; problems: readonly string[] }): CheckOutcome => ({ name: `${name} (line ${x.line})`, line: x.line, ok: r.ok, problems: r.problems });
  const failovers = () => measureFailovers(events, [...channelOf.keys()], scenario.announceIntervalMs);
  switch (x.kind) {
    case 'condition': {
      const r = evaluateCondition(x.condition, events, channelOf);
      return named(x.condition.kind, { ok: r.ok, problems: r.ok ? [] : [r.detail] });
    }
    case 'exactlyOnce':
      return named('exactly once, in order', checkExactlyOnce(events, channelOf));
    case 'history':
      return named('history intact', checkHistory(events, channelOf, x.hosts));
    case 'noPrivateNames': {
      const privates = [...new Set(channelOf.values())].filter((c) => c.startsWith('@'));
      // A check that saw no traffic proves nothing: say so instead of passing.
      if (records.length === 0) return named('no private channel on the wire', { ok: false, problems: ['no datagram was recorded'] });
      return named('no private channel on the wire', checkNoPrivateNames(records, privates));
    }
    case 'failoverWithin': {
      const m = failovers();
      const problems = m.length === 0 ? ['no failover was measured'] : m.filter((f) => f.intervals === undefined || f.intervals > x.intervals).map((f) => `${f.fault} of ${f.host} at ${f.at} ms: ${f.healedMs === undefined ? 'never healed' : `${f.healedMs} ms = ${f.intervals?.toFixed(1)} intervals`}`);
      return named(`failover within ${x.intervals} intervals`, { ok: problems.length === 0, problems });
    }
    case 'failoverNotBefore': {
      // Proves the slow path: members must not give up on a host that only went quiet too early.
      const m = failovers();
      const problems = m.length === 0 ? ['no failover was measured'] : m.filter((f) => f.intervals !== undefined && f.intervals < x.intervals).map((f) => `${f.fault} of ${f.host}: healed after ${f.intervals?.toFixed(1)} intervals`);
      return named(`failover not before ${x.intervals} intervals`, { ok: problems.length === 0, problems });
    }
    case 'announcedBy':
      // The window ends now (after any final pause), not at the last event.
      return named(`${x.channel} announced by ${x.by.join(', ')}`, checkAnnouncedBy(records, x.channel, x.by, now - x.intervals * scenario.announceIntervalMs));
    case 'oneHost':
      return named(`${x.channel} on one host`, checkOneHost(records, events, channelOf, x.channel, now - x.intervals * scenario.announceIntervalMs));
    case 'noFailover':
      return named('no failover', checkNoFailover(events, [...channelOf.keys()]));
    case 'neverSplit':
      if (records.length === 0) return named('never split', { ok: false, problems: ['no datagram was recorded'] });
      return named(`${x.channels.join(', ')} never split`, checkNeverSplit(records, events, x.channels, scenario.announceIntervalMs));
  }
}
