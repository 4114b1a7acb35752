/** A self-contained HTML report: inline CSS and SVG, no external asset, one section per run. */
import type { RunResult } from '../runner/result.js';
import { distributionSvg, overviewSvg } from './charts.js';
import { legendHtml } from './legend.js';
import { headlineFailover, type RepeatSummary } from './stats.js';
import { formatRepeat } from './text.js';
import { drawnEvents, esc, timelineSvg, zoomStart } from './timeline-svg.js';

export { timelineSvg, MAX_MARKERS } from './timeline-svg.js';

/** Lines of each host's log shown for a failed run. @default 40 */
export const LOG_LINES_SHOWN = 40;

/** The end of every host's own output, folded: what a failed run's reader needs next. */
function logsSection(r: RunResult): string {
  return Object.entries(r.logs)
    .map(([host, lines]) => `<details class="log"><summary>${esc(host)}: last ${Math.min(lines.length, LOG_LINES_SHOWN)} lines</summary><pre>${esc(lines.slice(-LOG_LINES_SHOWN).join('\n'))}</pre></details>`)
    .join('');
}

/** Per reader: posts expected, received, lost and duplicated (only when some were lost or doubled, or asked for). */
function readersTable(r: RunResult): string {
  const rows = Object.entries(r.readers ?? {});
  if (rows.length === 0 || rows.every(([, t]) => t.lost === 0 && t.duplicated === 0)) return '';
  const body = rows.map(([c, t]) => `<tr class="${t.lost + t.duplicated > 0 ? 'bad' : 'ok'}"><td>${esc(c)}</td><td>${t.expected}</td><td>${t.received}</td><td>${t.lost}</td><td>${t.duplicated}</td></tr>`).join('');
  return `<table class="readers"><tr><th>reader</th><th>expected</th><th>received</th><th>lost</th><th>duplicated</th></tr>${body}</table>`;
}

function runSection(r: RunResult, i: number): string {
  const f = headlineFailover(r);
  const checks = r.checks
    .map((c) => `<tr class="${c.ok ? 'ok' : 'bad'}"><td>${c.ok ? '✓' : '✗'}</td><td class="check-name">${esc(c.name)}</td><td class="line">${c.line !== undefined ? `line ${c.line}` : ''}</td><td>${c.problems.map(esc).join('<br>')}</td></tr>`)
    .join('');
  const announced = Object.entries(r.wire.announced).map(([p, cs]) => `${esc(p)}: ${cs.map(esc).join(', ')}`).join('; ');
  return `<section class="run ${r.status}" id="run-${i}">
<h2><span class="badge">${r.status}</span> ${esc(r.scenario)} <small>${esc(r.backend)}${r.secure ? ' · secure mode' : ''} · ${(r.durationMs / 1000).toFixed(1)} s · interval ${r.announceIntervalMs} ms</small></h2>
${r.reason ? `<p class="reason">${esc(r.reason)}</p>` : ''}
${f ? `<p>Failover: <b>${f.ms} ms</b> = ${f.intervals.toFixed(1)} intervals</p>` : ''}
${r.events.length > 0 ? timelineSvg(r) : ''}
<table class="checks">${checks}</table>
${readersTable(r)}
<p class="wire">Wire: ${r.wire.datagrams} datagrams, ${r.wire.decoded} valid PDUs${announced ? `; announced: ${announced}` : ''}</p>
${r.status === 'failed' || r.status === 'error' ? logsSection(r) : ''}
</section>`;
}

const CSS = `body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.4em}h2{font-size:1.1em;margin:.2em 0}
small{color:#666;font-weight:normal}.run{border:1px solid #ddd;border-left:6px solid #999;padding:.6em 1em;margin:1em 0}
.run.passed{border-left-color:#2ca02c}.run.failed,.run.error{border-left-color:#d62728}.run.pending,.run.skipped{border-left-color:#bbb}
.badge{text-transform:uppercase;font-size:.8em;padding:0 .4em;border-radius:3px;background:#eee}
table{border-collapse:collapse}td{padding:2px 8px;vertical-align:top}tr.bad td{color:#b00}
pre{font-size:11px;overflow-x:auto;background:#f7f7f7;padding:.4em}.lane{font-size:11px}.tick{font-size:10px;fill:#666}.rule{stroke:#eee}.summary td{border-bottom:1px solid #eee}
.cut{stroke:#999;stroke-dasharray:3 2}.legend{list-style:none;padding:0;columns:3;font-size:12px}.legend li{margin:1px 0}.legend svg{vertical-align:middle}
td.line{color:#888;font-size:12px;white-space:nowrap}.grid{stroke:#eee}.range{stroke:#999;stroke-width:2}.median{stroke:#222;stroke-width:2}.p95{stroke:#d62728;stroke-width:2}
figure{margin:.4em 0}figcaption{font-size:12px;color:#555}.readers td,.readers th{font-size:12px;text-align:right}`;

/** The whole report as one HTML document. */
export function renderHtml(results: readonly RunResult[], repeats: readonly RepeatSummary[], title = 'netsim report'): string {
  const count = (s: string): number => results.filter((r) => r.status === s).length;
  const drawn = results.filter((r) => r.events.length > 0);
  const events = new Set(drawn.flatMap((r) => [...drawnEvents(r)]));
  const netsimEvents = new Set(drawn.flatMap((r) => r.events.filter((e) => e.source === 'netsim').map((e) => e.event)));
  const legend = drawn.length > 0 ? legendHtml(events, netsimEvents, drawn.some((r) => zoomStart(r) > 0)) : '';
  const overview = overviewSvg(results);
  const summary = results.map((r, i) => `<tr><td><a href="#run-${i}">${esc(r.scenario)}</a></td><td>${r.status}</td><td>${headlineFailover(r)?.ms ?? ''}</td></tr>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${CSS}</style></head>
<body><h1>${esc(title)}</h1>
<p id="totals">${results.length} runs: ${count('passed')} passed, ${count('failed') + count('error')} failed, ${count('pending')} pending, ${count('skipped')} skipped</p>
<table class="summary"><tr><th>scenario</th><th>status</th><th>failover ms</th></tr>${summary}</table>
${overview ? `<h2>Failover time by fault kind (ms)</h2>${overview}` : ''}
${repeats.filter((s) => s.runs > 1).map((s) => `<div class="repeat"><p>${esc(formatRepeat(s))}</p>${distributionSvg(s)}</div>`).join('')}
${legend}
${results.map(runSection).join('\n')}
</body></html>
`;
}
