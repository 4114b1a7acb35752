/** A self-contained HTML report: inline CSS and SVG, no external asset, one section per run. */
import type { SimEvent } from '../checks/log.js';
import type { RunResult } from '../runner/result.js';
import { headlineFailover, type RepeatSummary } from './stats.js';
import { formatRepeat, isNotable } from './text.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const COLORS: Record<string, string> = {
  kill: '#d62728', freeze: '#9467bd', thaw: '#8c564b', stop: '#e377c2', restart: '#17becf', start: '#2ca02c',
  joined: '#2ca02c', failover: '#ff7f0e', left: '#7f7f7f', exit: '#000000', error: '#d62728', post: '#1f77b4',
  say: '#aec7e8', history: '#c5b0d5', listening: '#98df8a', partition: '#d62728', heal: '#2ca02c', netem: '#bcbd22',
};

const LANE = 22;
const LEFT = 110;
const WIDTH = 900;
/** Markers drawn per run; a 100-client run would otherwise make a huge page. @default 4000 */
export const MAX_MARKERS = 4_000;

/** The SVG timeline of one run: a lane per host, a marker per notable event. */
export function timelineSvg(r: RunResult): string {
  const events = r.events.filter(isNotable);
  const hosts = [...new Set(events.map((e) => e.host))];
  const end = Math.max(1, r.durationMs, ...events.map((e) => e.t));
  const x = (t: number): number => LEFT + (t / end) * (WIDTH - LEFT - 10);
  const height = hosts.length * LANE + 30;
  const lanes = hosts.map((h, i) => `<text x="4" y="${i * LANE + 15}" class="lane">${esc(h)}</text><line x1="${LEFT}" x2="${WIDTH - 10}" y1="${i * LANE + 11}" y2="${i * LANE + 11}" class="rule"/>`);
  const marker = (e: SimEvent): string => {
    const y = hosts.indexOf(e.host) * LANE + 11;
    const color = COLORS[e.event] ?? '#555';
    const big = e.source === 'netsim' || e.event === 'failover' || e.event === 'joined';
    const label = `${e.t} ms ${e.host} ${e.event} ${JSON.stringify(e.data)}`;
    return big
      ? `<rect x="${(x(e.t) - 4).toFixed(1)}" y="${y - 7}" width="8" height="14" fill="${color}"><title>${esc(label)}</title></rect>`
      : `<circle cx="${x(e.t).toFixed(1)}" cy="${y}" r="3" fill="${color}"><title>${esc(label)}</title></circle>`;
  };
  // The first and last labels are anchored inwards so they stay inside the picture.
  const anchor = (i: number): string => (i === 0 ? 'start' : i === 5 ? 'end' : 'middle');
  const ticks = Array.from({ length: 6 }, (_, i) => (end * i) / 5).map((t, i) => `<text x="${x(t).toFixed(1)}" y="${height - 5}" text-anchor="${anchor(i)}" class="tick">${Math.round(t)} ms</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="timeline of ${esc(r.scenario)}">${lanes.join('')}${events.slice(0, MAX_MARKERS).map(marker).join('')}${ticks.join('')}</svg>`;
}

/** Lines of each host's log shown for a failed run. @default 40 */
export const LOG_LINES_SHOWN = 40;

/** The end of every host's own output, folded: what a failed run's reader needs next. */
function logsSection(r: RunResult): string {
  return Object.entries(r.logs)
    .map(([host, lines]) => `<details class="log"><summary>${esc(host)}: last ${Math.min(lines.length, LOG_LINES_SHOWN)} lines</summary><pre>${esc(lines.slice(-LOG_LINES_SHOWN).join('\n'))}</pre></details>`)
    .join('');
}

function runSection(r: RunResult, i: number): string {
  const f = headlineFailover(r);
  const checks = r.checks
    .map((c) => `<tr class="${c.ok ? 'ok' : 'bad'}"><td>${c.ok ? '✓' : '✗'}</td><td>${esc(c.name)}</td><td>${c.problems.map(esc).join('<br>')}</td></tr>`)
    .join('');
  const announced = Object.entries(r.wire.announced).map(([p, cs]) => `${esc(p)}: ${cs.map(esc).join(', ')}`).join('; ');
  return `<section class="run ${r.status}" id="run-${i}">
<h2><span class="badge">${r.status}</span> ${esc(r.scenario)} <small>${esc(r.backend)} · ${(r.durationMs / 1000).toFixed(1)} s · interval ${r.announceIntervalMs} ms</small></h2>
${r.reason ? `<p class="reason">${esc(r.reason)}</p>` : ''}
${f ? `<p>Failover: <b>${f.ms} ms</b> = ${f.intervals.toFixed(1)} intervals</p>` : ''}
${r.events.length > 0 ? timelineSvg(r) : ''}
<table class="checks">${checks}</table>
<p class="wire">Wire: ${r.wire.datagrams} datagrams, ${r.wire.decoded} valid PDUs${announced ? `; announced: ${announced}` : ''}</p>
${r.status === 'failed' || r.status === 'error' ? logsSection(r) : ''}
</section>`;
}

const CSS = `body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.4em}h2{font-size:1.1em;margin:.2em 0}
small{color:#666;font-weight:normal}.run{border:1px solid #ddd;border-left:6px solid #999;padding:.6em 1em;margin:1em 0}
.run.passed{border-left-color:#2ca02c}.run.failed,.run.error{border-left-color:#d62728}.run.pending,.run.skipped{border-left-color:#bbb}
.badge{text-transform:uppercase;font-size:.8em;padding:0 .4em;border-radius:3px;background:#eee}
table{border-collapse:collapse}td{padding:2px 8px;vertical-align:top}tr.bad td{color:#b00}
pre{font-size:11px;overflow-x:auto;background:#f7f7f7;padding:.4em}.lane{font-size:11px}.tick{font-size:10px;fill:#666}.rule{stroke:#eee}.summary td{border-bottom:1px solid #eee}`;

/** The whole report as one HTML document. */
export function renderHtml(results: readonly RunResult[], repeats: readonly RepeatSummary[], title = 'netsim report'): string {
  const count = (s: string): number => results.filter((r) => r.status === s).length;
  const summary = results.map((r, i) => `<tr><td><a href="#run-${i}">${esc(r.scenario)}</a></td><td>${r.status}</td><td>${headlineFailover(r)?.ms ?? ''}</td></tr>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${CSS}</style></head>
<body><h1>${esc(title)}</h1>
<p id="totals">${results.length} runs: ${count('passed')} passed, ${count('failed') + count('error')} failed, ${count('pending')} pending, ${count('skipped')} skipped</p>
<table class="summary"><tr><th>scenario</th><th>status</th><th>failover ms</th></tr>${summary}</table>
${repeats.filter((s) => s.runs > 1).map((s) => `<p class="repeat">${esc(formatRepeat(s))}</p>`).join('')}
${results.map(runSection).join('\n')}
</body></html>
`;
}
