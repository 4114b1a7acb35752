/** The legend of the timelines: what each marker, band and bar means. Only what a page draws. */
import { COLORS, esc } from './timeline-svg.js';

/** What each marker stands for; squares are netsim's actions and the members' host changes. */
const MEANING: Record<string, string> = {
  start: 'netsim started the process', restart: 'netsim restarted it (SIGKILL, start)', kill: 'netsim killed it (SIGKILL)',
  freeze: 'netsim froze it (SIGSTOP)', thaw: 'netsim thawed it (SIGCONT)', stop: 'netsim stopped it (SIGTERM)',
  leave: 'netsim closed its input (EXIT)', post: 'netsim typed a post', partition: 'network partition', heal: 'network healed',
  netem: 'delay or loss set on links', hog: 'CPU hog started', 'hog-end': 'CPU hog ended', burst: 'paced posting started',
  'burst-end': 'paced posting ended', teardown: 'teardown began (exits after it are cleanup)', exit: 'the process exited',
  listening: 'server listening', joined: 'member joined a host', failover: 'member failed over to another host',
  left: 'member left its channel', say: 'a post arrived live', history: 'a post arrived as history', error: 'an error event',
  starve: 'CPU starvation began (quota or pinned hog)', 'starve-end': 'CPU starvation ended', 'starve-stat': 'CPU use of the starved host',
  'disk-full': "the server's data disk filled up", 'disk-free': 'the data disk was freed', clock: "the host's wall clock jumped",
  network: 'how links are simulated (bridge, userspace switch)', frames: 'frames the userspace switch handled',
};

const SQUARES = new Set(['joined', 'failover']);

function swatch(event: string, square: boolean): string {
  const color = COLORS[event] ?? '#555';
  const shape = square ? `<rect x="3" y="0" width="8" height="14" fill="${color}"/>` : `<circle cx="7" cy="7" r="3" fill="${color}"/>`;
  return `<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">${shape}</svg>`;
}

/** The legend for timelines that draw `events` (names), netsim's own ones given by `netsimEvents`. */
export function legendHtml(events: ReadonlySet<string>, netsimEvents: ReadonlySet<string>, collapsed: boolean): string {
  const items = [...events].sort().map((e) => `<li>${swatch(e, netsimEvents.has(e) || SQUARES.has(e))} <b>${esc(e)}</b> ${esc(MEANING[e] ?? 'an event the host logged')}</li>`);
  items.push('<li><svg width="14" height="14" aria-hidden="true"><rect x="0" y="5" width="14" height="4" fill="#1f77b4" fill-opacity="0.45"/></svg> <b>announces</b> the peer announced a channel (from the wire)</li>');
  items.push('<li><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill="#ff7f0e" fill-opacity="0.15"/></svg> <b>failover</b> from the fault until the last cut-off member rejoined</li>');
  if (collapsed) items.push('<li><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill="#f2f2f2"/></svg> <b>start-up</b> collapsed: the time before the first fault, squeezed</li>');
  return `<details class="legend-box" open><summary>Legend</summary><ul class="legend">${items.join('')}</ul></details>`;
}
