/**
 * Names of checks by what they assert, for people: "alice, bob, carol rejoined within 6
 * intervals: 302 ms", not "wait (line 20)". The scenario line stays in the check's `line`.
 */
import { ANY_CLIENT } from '../scenario/selectors.js';
import type { Condition, Step } from '../scenario/types.js';

/** Names joined for a sentence, long lists cut: "alice, bob and 18 more". */
export function names(list: readonly string[], max = 4): string {
  if (list.length <= max) return list.join(', ');
  return `${list.slice(0, max).join(', ')} and ${list.length - max} more`;
}

/** A condition's `host:` in words: a name, or what a selector means. */
function hostWord(host: string): string {
  return host === ANY_CLIENT ? "a member's embedded host" : host;
}

/** What a condition asserts, as a sentence without a subject of its own. */
export function describeCondition(c: Condition): string {
  switch (c.kind) {
    case 'listening':
      return `${names(c.hosts)} listening`;
    case 'joined':
      return `${names(c.hosts)} joined${c.host !== undefined ? ` on ${hostWord(c.host)}` : ''}`;
    case 'failover':
      return `${names(c.hosts)} failed over${c.host !== undefined ? ` to ${hostWord(c.host)}` : ''}`;
    case 'converged':
      return `${names(c.hosts)} on one host${c.host !== undefined ? `, ${hostWord(c.host)}` : ''}`;
    case 'delivered':
      return 'every post so far delivered to every member';
    case 'exited':
      return `${names(c.hosts)} exited`;
    case 'event': {
      const fields = Object.entries(c.fields).map(([k, v]) => `${k}=${String(v)}`).join(' ');
      return `${c.host} logged ${c.event}${fields ? ` ${fields}` : ''}`;
    }
  }
}

/** Milliseconds for a name: "302 ms" or "4.1 s". */
export function duration(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** What a step did (passed) or was to do (failed); `tookMs` is added for waits. */
export function describeStep(step: Step, tookMs?: number): string {
  const took = tookMs === undefined ? '' : `: ${duration(tookMs)}`;
  switch (step.kind) {
    case 'wait':
      return `${describeCondition(step.condition)} within ${step.within} intervals${took}`;
    case 'start':
    case 'kill':
    case 'freeze':
    case 'thaw':
    case 'stop':
    case 'restart':
    case 'leave': {
      const ref = step.hostOf !== undefined ? `the host of ${step.hostOf}` : step.standbyOf !== undefined ? `the standby of ${step.standbyOf}` : names(step.hosts);
      return `${step.kind} ${ref}${step.kind === 'start' || step.kind === 'restart' ? took : ''}`;
    }
    case 'say': {
      const authors = [...new Set(step.posts.map((p) => p.from))];
      return `${names(authors)} post${authors.length === 1 ? 's' : ''} ${step.posts.length}${step.rate !== undefined ? ` at ${step.rate}/s each` : ''}`;
    }
    case 'pause':
      return `pause ${step.intervals} intervals`;
    case 'hog':
      return `CPU hog${step.procs !== undefined ? ` of ${step.procs}` : ''} for ${step.intervals} intervals`;
    case 'partition':
      return `partition ${step.groups.map((g) => `{${g.join(', ')}}`).join(' / ')}`;
    case 'heal':
      return 'heal the network';
    case 'cut':
      return `cut ${names(step.from)} → ${names(step.to)} (one way)`;
    case 'netem': {
      const f = step.fault;
      const parts = [f.delayMs ? `${f.delayMs} ms delay` : '', f.jitterMs ? `±${f.jitterMs} ms` : '', f.lossPercent ? `${f.lossPercent} % loss` : '', f.duplicatePercent ? `${f.duplicatePercent} % duplicated` : '', f.reorderPercent ? `${f.reorderPercent} % reordered` : '', f.rateKbit ? `${f.rateKbit} kbit/s` : ''].filter(Boolean);
      return `links of ${names(step.hosts)}: ${parts.length > 0 ? parts.join(', ') : 'clean'}`;
    }
    case 'starve':
      return `starve ${names(step.hosts)} to ${step.cpuPercent} % CPU for ${step.intervals} intervals`;
    case 'diskFull':
      return `fill the data disk of ${names(step.hosts)}`;
    case 'diskFree':
      return `free the data disk of ${names(step.hosts)}`;
    case 'clock':
      return `clock of ${names(step.hosts)} jumps ${step.jumpMs > 0 ? '+' : ''}${step.jumpMs} ms`;
    case 'lobby': {
      const parts = [step.sees.length > 0 ? `shows ${names(step.sees)}` : '', step.lacks.length > 0 ? `lacks ${names(step.lacks)}` : ''].filter(Boolean);
      return `the lobby beside ${step.at} ${parts.join(' and ')}`;
    }
    default:
      return (step as { kind: string }).kind;
  }
}
