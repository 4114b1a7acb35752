/** Plain-text output: a timeline per run and a one-line verdict per scenario. */
import type { SimEvent } from '../checks/log.js';
import type { RunResult } from '../runner/result.js';
import { headlineFailover, type RepeatSummary } from './stats.js';

/** App events left out of the timeline: routine chatter that would drown the story. */
const QUIET_EVENTS = new Set(['standby', 'datagram', 'stats']);
/** Server log lines are events too; only these make the timeline. */
const SERVER_EVENTS = new Set(['listening', 'failover', 'takeover', 'error', 'stopping']);

/** Whether an event belongs in a human timeline. */
export function isNotable(e: SimEvent): boolean {
  if (e.source === 'netsim') return true;
  if (QUIET_EVENTS.has(e.event)) return false;
  return ['joined', 'failover', 'left', 'error', 'say', 'history'].includes(e.event) || SERVER_EVENTS.has(e.event);
}

function describe(e: SimEvent): string {
  const d = e.data;
  switch (e.event) {
    case 'say':
    case 'history':
      return `${e.event} ${String(d['author'])}: ${JSON.stringify(d['text'])}`;
    case 'post':
      return `post ${JSON.stringify(d['text'])}`;
    case 'joined':
      return `joined on ${String(d['host'])}`;
    case 'failover':
      return `failover to ${String(d['host'])}${d['from'] !== undefined ? ` from ${String(d['from'])}` : ''}`;
    case 'exit':
      return `exit code=${String(d['code'])} signal=${String(d['signal'])}${d['expected'] === false ? ' (unexpected)' : ''}`;
    case 'listening':
      return `listening on port ${String(d['port'])}`;
    case 'partition':
      return d['oneWay'] === true ? `one-way partition ${JSON.stringify(d['from'])} -> ${JSON.stringify(d['to'])}` : `partition ${JSON.stringify(d['groups'])}`;
    default:
      return Object.keys(d).length > 0 && e.source === 'netsim' ? `${e.event} ${JSON.stringify(d)}` : e.event;
  }
}

/**
 * The timeline of one run, one line per notable event. A long run shows its first quarter of
 * `max` lines and its last three quarters: a failed wait stops the timeline, so the end is where
 * the story is.
 */
export function formatTimeline(r: RunResult, max = 400): string {
  const line = (t: number, host: string, mark: string, text: string): { t: number; text: string } => ({ t, text: `${String(Math.round(t)).padStart(7)} ms  ${host.padEnd(10)} ${mark} ${text}` });
  const events = r.events.filter(isNotable).map((e) => line(e.t, e.host, e.source === 'netsim' ? '»' : ' ', describe(e)));
  // Who announced which channel when, from the wire ("~"): a split shows as two open spans.
  const wire = (r.wire.spans ?? []).flatMap((s) => [line(s.from, s.peer, '~', `announces ${s.channel}`), ...(Number.isFinite(s.to) && s.to < r.durationMs ? [line(s.to, s.peer, '~', `stops announcing ${s.channel}`)] : [])]);
  // Stable sort: events keep their log order, a wire line goes after the events of its ms.
  const sorted = [...events, ...wire].sort((a, b) => a.t - b.t);
  const lines = sorted.map((l) => l.text);
  if (lines.length <= max) return lines.join('\n');
  const head = Math.floor(max / 4);
  const tail = max - head;
  const gap = sorted.slice(head, lines.length - tail);
  const skipped = `… ${gap.length} event${gap.length === 1 ? '' : 's'} (${Math.round(gap[0]?.t ?? 0)}–${Math.round(gap.at(-1)?.t ?? 0)} ms) left out (see results.json)`;
  return [...lines.slice(0, head), skipped, ...lines.slice(lines.length - tail)].join('\n');
}

/** A one-line verdict plus failed checks and failover time. */
export function formatResult(r: RunResult): string {
  const mark = { passed: 'PASS', failed: 'FAIL', pending: 'PEND', skipped: 'SKIP', error: 'ERR ' }[r.status];
  const head = `${mark} ${r.scenario} [${r.backend}${r.secure ? ', secure' : ''}] ${(r.durationMs / 1000).toFixed(1)} s${r.reason ? ` - ${r.reason}` : ''}`;
  const out = [head];
  const f = headlineFailover(r);
  if (f) out.push(`     failover: ${f.ms} ms = ${f.intervals.toFixed(1)} intervals of ${r.announceIntervalMs} ms`);
  for (const m of r.failovers.filter((x) => x.healedMs === undefined)) out.push(`     ${m.fault} of ${m.host} at ${m.at} ms: ${m.affected.join(', ')} never rejoined`);
  const short = Object.entries(r.readers ?? {}).filter(([, t]) => t.lost + t.duplicated > 0);
  if (short.length > 0) out.push(`     readers: ${short.map(([c, t]) => `${c} lost ${t.lost}/${t.expected}, ${t.duplicated} twice`).join('; ')}`);
  for (const c of r.checks.filter((x) => !x.ok)) {
    out.push(`     ✗ ${c.name}${c.line !== undefined ? ` (line ${c.line})` : ''}`);
    for (const p of c.problems) out.push(`         ${p}`);
  }
  return out.join('\n');
}

/** The `--repeat` line of one scenario. */
export function formatRepeat(s: RepeatSummary): string {
  const ms = s.failoverMs;
  const iv = s.failoverIntervals;
  const t = ms && iv
    ? `failover ms min/median/p95/max ${ms.min}/${ms.median}/${ms.p95}/${ms.max} = ${[iv.min, iv.median, iv.p95, iv.max].map((v) => v.toFixed(1)).join('/')} intervals`
    : 'no failover measured';
  return `${s.scenario}: ${s.runs} runs, ${s.failed} failed; ${t}`;
}
