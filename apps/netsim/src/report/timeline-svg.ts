/**
 * The SVG timeline of one run: a lane per host, a marker per notable event, the announce spans
 * from the wire, and the failover windows shaded. Start-up (everything before the first fault,
 * less a little lead-in) is collapsed into a narrow band, so the fault fills the picture.
 */
import type { SimEvent } from '../checks/log.js';
import type { RunResult } from '../runner/result.js';
import { isNotable } from './text.js';

/** Escapes text for HTML and SVG. */
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** Marker colours by event name; the legend explains the ones a page uses. */
export const COLORS: Record<string, string> = {
  kill: '#d62728', freeze: '#9467bd', thaw: '#8c564b', stop: '#e377c2', restart: '#17becf', start: '#2ca02c',
  joined: '#2ca02c', failover: '#ff7f0e', left: '#7f7f7f', exit: '#000000', error: '#d62728', post: '#1f77b4',
  say: '#aec7e8', history: '#c5b0d5', listening: '#98df8a', partition: '#d62728', heal: '#2ca02c', netem: '#bcbd22',
  teardown: '#444444', leave: '#7f7f7f', hog: '#bcbd22', starve: '#bcbd22', 'disk-full': '#8c564b', 'disk-free': '#2ca02c', clock: '#17becf',
};

/** netsim actions that open the part of a run worth looking at. */
const FAULTS = new Set(['kill', 'freeze', 'stop', 'restart', 'partition', 'heal', 'netem', 'hog', 'leave', 'starve', 'disk-full', 'clock']);

const LANE = 22;
const LEFT = 110;
const WIDTH = 900;
/** Width of the collapsed start-up band, px. */
const COLLAPSED = 70;
/** Markers drawn per run; a 100-client run would otherwise make a huge page. @default 4000 */
export const MAX_MARKERS = 4_000;

/** Where the zoomed part starts: a few intervals before the first fault (or post), or 0. */
export function zoomStart(r: RunResult): number {
  const first = r.events.find((e) => e.source === 'netsim' && FAULTS.has(e.event)) ?? r.events.find((e) => e.source === 'netsim' && e.event === 'post');
  if (first === undefined) return 0;
  const from = Math.max(0, first.t - 3 * r.announceIntervalMs);
  // Not worth collapsing a start-up that is a small part of the run anyway.
  return from < 0.1 * (r.teardownMs ?? r.durationMs) ? 0 : from;
}

/** Piecewise x scale: [0, zoom) into the collapsed band, [zoom, end] over the rest. */
function scale(zoom: number, end: number): (t: number) => number {
  const right = WIDTH - 10;
  const open = zoom > 0 ? LEFT + COLLAPSED : LEFT;
  return (t) => {
    if (zoom > 0 && t < zoom) return LEFT + (t / zoom) * (COLLAPSED - 6);
    return open + ((Math.min(t, end) - zoom) / Math.max(1, end - zoom)) * (right - open);
  };
}

/** The event names drawn in a run's timeline, for the legend. */
export function drawnEvents(r: RunResult): Set<string> {
  return new Set(r.events.filter(isNotable).map((e) => e.event));
}

/** The timeline of one run. */
export function timelineSvg(r: RunResult): string {
  const end = Math.max(1, r.teardownMs ?? r.durationMs);
  // Exits at teardown are netsim's cleanup, not part of the story; the marker says where it began.
  const events = r.events.filter((e) => isNotable(e) && (e.t < end || e.event === 'teardown'));
  const spans = (r.wire.spans ?? []).filter((s) => s.from < end);
  const hosts = [...new Set([...events.map((e) => e.host), ...spans.map((s) => s.peer)])];
  const zoom = zoomStart(r);
  const x = scale(zoom, end);
  const top = 14;
  const height = top + hosts.length * LANE + 30;
  const laneY = (h: string): number => top + hosts.indexOf(h) * LANE + 11;
  const lanes = hosts.map((h) => `<text x="4" y="${laneY(h) + 4}" class="lane">${esc(h)}</text><line x1="${LEFT}" x2="${WIDTH - 10}" y1="${laneY(h)}" y2="${laneY(h)}" class="rule"/>`);
  const collapsed = zoom > 0
    ? `<g class="collapsed"><rect x="${LEFT}" y="${top}" width="${COLLAPSED - 6}" height="${hosts.length * LANE}" fill="#f2f2f2"/><text x="${LEFT + 2}" y="${top - 3}" class="tick">start-up ${(zoom / 1000).toFixed(1)} s</text><line x1="${LEFT + COLLAPSED - 3}" x2="${LEFT + COLLAPSED - 3}" y1="${top}" y2="${top + hosts.length * LANE}" class="cut"/></g>`
    : '';
  const windows = r.failovers.filter((f) => f.healedMs !== undefined).map((f) => {
    const x0 = x(f.at);
    const w = Math.max(2, x(f.at + (f.healedMs ?? 0)) - x0);
    return `<g class="window"><rect x="${x0.toFixed(1)}" y="${top}" width="${w.toFixed(1)}" height="${hosts.length * LANE}" fill="#ff7f0e" fill-opacity="0.15"/><text x="${(x0 + 2).toFixed(1)}" y="${top - 3}" class="tick">${esc(f.fault)} → ${f.healedMs} ms</text><title>${esc(`${f.fault} of ${f.host} at ${f.at} ms: ${f.affected.join(', ')} rejoined after ${f.healedMs} ms`)}</title></g>`;
  });
  const spanBars = spans.map((s) => {
    const x0 = x(s.from);
    const x1 = x(Number.isFinite(s.to) ? s.to : end);
    return `<rect class="span" x="${x0.toFixed(1)}" y="${laneY(s.peer) + 4}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="4" fill="#1f77b4" fill-opacity="0.45"><title>${esc(`${s.peer} announces ${s.channel} ${s.from}–${Number.isFinite(s.to) ? s.to : 'end'} ms`)}</title></rect>`;
  });
  const marker = (e: SimEvent): string => {
    const y = laneY(e.host);
    const color = COLORS[e.event] ?? '#555';
    const big = e.source === 'netsim' || e.event === 'failover' || e.event === 'joined';
    const label = `${e.t} ms ${e.host} ${e.event} ${JSON.stringify(e.data)}`;
    return big
      ? `<rect class="mark" x="${(x(e.t) - 4).toFixed(1)}" y="${y - 7}" width="8" height="14" fill="${color}"><title>${esc(label)}</title></rect>`
      : `<circle class="mark" cx="${x(e.t).toFixed(1)}" cy="${y}" r="3" fill="${color}"><title>${esc(label)}</title></circle>`;
  };
  const tickTimes = Array.from({ length: 6 }, (_, i) => zoom + ((end - zoom) * i) / 5);
  // The first and last labels are anchored inwards so they stay inside the picture.
  const anchor = (i: number): string => (i === 0 ? 'start' : i === 5 ? 'end' : 'middle');
  const ticks = tickTimes.map((t, i) => `<text x="${x(t).toFixed(1)}" y="${height - 5}" text-anchor="${anchor(i)}" class="tick">${Math.round(t)} ms</text>`);
  const body = [...lanes, collapsed, ...windows, ...spanBars, ...events.slice(0, MAX_MARKERS).map(marker), ...ticks].join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="timeline of ${esc(r.scenario)}">${body}</svg>`;
}
