/**
 * Small inline SVG charts of failover times: one scenario's spread over `--repeat`, and the whole
 * suite's failovers by fault kind.
 */
import type { RunResult } from '../runner/result.js';
import { spread, type RepeatSummary, type Spread } from './stats.js';
import { esc } from './timeline-svg.js';

const W = 420;
const PAD = 12;

/** An axis from 0 to a round maximum, with a scale function. */
function axis(max: number): { x: (v: number) => number; top: number; ticks: number[] } {
  const step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000].find((s) => s * 4 >= max) ?? 100_000;
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  return { x: (v) => PAD + 110 + (v / top) * (W - 2 * PAD - 110), top, ticks };
}

function tickLabels(ticks: readonly number[], x: (v: number) => number, y: number): string {
  return ticks.map((t) => `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="4" y2="${y - 12}" class="grid"/><text x="${x(t).toFixed(1)}" y="${y}" text-anchor="middle" class="tick">${t}</text>`).join('');
}

/** One row: dots per sample, a bar from min to max, ticks at median and p95. */
function row(label: string, values: readonly number[], s: Spread, x: (v: number) => number, y: number): string {
  const dots = values.map((v) => `<circle cx="${x(v).toFixed(1)}" cy="${y}" r="3" fill="#1f77b4" fill-opacity="0.6"><title>${v} ms</title></circle>`).join('');
  const mark = (v: number, cls: string, what: string): string => `<line class="${cls}" x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${y - 7}" y2="${y + 7}"><title>${what} ${v} ms</title></line>`;
  return `<text x="${PAD}" y="${y + 4}" class="lane">${esc(label)}</text><line x1="${x(s.min).toFixed(1)}" x2="${x(s.max).toFixed(1)}" y1="${y}" y2="${y}" class="range"/>${dots}${mark(s.median, 'median', 'median')}${mark(s.p95, 'p95', 'p95')}`;
}

/** The failover spread of one scenario over its repeated runs (min, median, p95, max), or '' without two samples. */
export function distributionSvg(s: RepeatSummary): string {
  const ms = s.failoverMs;
  if (ms === undefined || s.failoverSamplesMs.length < 2) return '';
  const { x, ticks } = axis(ms.max);
  const h = 46;
  const caption = `min ${ms.min} · median ${ms.median} · p95 ${ms.p95} · max ${ms.max} ms over ${s.failoverSamplesMs.length} runs`;
  return `<figure class="dist-fig"><svg xmlns="http://www.w3.org/2000/svg" class="dist" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" role="img" aria-label="failover times of ${esc(s.scenario)}: ${esc(caption)}">${tickLabels(ticks, x, h - 2)}${row('failover ms', s.failoverSamplesMs, ms, x, 16)}</svg><figcaption>${esc(s.scenario)}: ${esc(caption)}</figcaption></figure>`;
}

/** Every healed failover of the suite, by fault kind (kill, freeze, partition, ...). */
export function failoversByKind(results: readonly RunResult[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of results) for (const f of r.failovers) if (f.healedMs !== undefined) out.set(f.fault, [...(out.get(f.fault) ?? []), f.healedMs]);
  return out;
}

/** One chart for the suite: a row per fault kind, every measured failover a dot, median and p95 marked. */
export function overviewSvg(results: readonly RunResult[]): string {
  const kinds = [...failoversByKind(results)].sort(([a], [b]) => a.localeCompare(b));
  if (kinds.length === 0) return '';
  const { x, ticks } = axis(Math.max(...kinds.flatMap(([, v]) => v)));
  const h = kinds.length * 24 + 30;
  const rows = kinds.map(([kind, values], i) => row(`${kind} (${values.length})`, values, spread(values) as Spread, x, 16 + i * 24)).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" class="overview" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" role="img" aria-label="failover time per fault kind">${tickLabels(ticks, x, h - 2)}${rows}</svg>`;
  return `<figure class="overview-fig">${svg}<figcaption>each dot one measured failover (ms); grey bar min to max, black tick median, red tick p95; (n) failovers per kind</figcaption></figure>`;
}
