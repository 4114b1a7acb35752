import { describe, expect, it } from 'vitest';
import { renderHtml, timelineSvg } from './html.js';
import { sampleResult } from './sample-result.js';
import { spread, summariseRepeats } from './stats.js';
import { formatRepeat, formatResult, formatTimeline } from './text.js';

describe('spread and repeats', () => {
  it('computes min, median and max', () => {
    expect(spread([5, 1, 3])).toEqual({ min: 1, median: 3, p95: 5, max: 5 });
    expect(spread([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, p95: 4, max: 4 });
    expect(spread(Array.from({ length: 40 }, (_, i) => 40 - i))).toEqual({ min: 1, median: 20.5, p95: 38, max: 40 });
    expect(spread([])).toBeUndefined();
  });

  it('summarises repeated runs with failures and failover times', () => {
    const runs = [sampleResult(), sampleResult({ status: 'failed', failovers: [] }), sampleResult({ failovers: [{ fault: 'kill', host: 's1', at: 1, affected: ['a'], healedMs: 450, intervals: 4.5 }] })];
    const s = summariseRepeats(runs);
    expect(s).toMatchObject({ runs: 3, failed: 1, failoverMs: { min: 250, median: 350, p95: 450, max: 450 }, failoverIntervals: { min: 2.5, median: 3.5, max: 4.5 }, failoverSamplesMs: [250, 450] });
    expect(formatRepeat(s)).toBe('crash <&>: 3 runs, 1 failed; failover ms min/median/p95/max 250/350/450/450 = 2.5/3.5/4.5/4.5 intervals');
  });
});

describe('text output', () => {
  it('prints the verdict, failover time and failed checks', () => {
    expect(formatResult(sampleResult()).split('\n')).toEqual([
      'PASS crash <&> [local] 1.0 s',
      '     failover: 250 ms = 2.5 intervals of 100 ms',
      '     ✗ no host crashed',
      '         s9 exited <by itself>',
    ]);
  });

  it('leaves routine standby lines out of the timeline', () => {
    const t = formatTimeline(sampleResult());
    expect(t).toContain('alice        failover to s2 from s1');
    expect(t).toContain('s1         » kill');
    expect(t).not.toContain('standby');
  });
});

describe('HTML report', () => {
  it('is one self-contained document with escaped text', () => {
    const html = renderHtml([sampleResult()], []);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('crash &lt;&amp;&gt;');
    expect(html).not.toContain('crash <&>');
    expect(html).not.toMatch(/<(script|link|img)\b/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain('<b>250 ms</b> = 2.5 intervals');
  });

  it('folds the hosts\' own logs into a failed run only', () => {
    const logs = { s1: ['! boom <1>'] };
    expect(renderHtml([sampleResult({ logs })], [])).not.toContain('boom');
    expect(renderHtml([sampleResult({ logs, status: 'failed' })], [])).toContain('<summary>s1: last 1 lines</summary><pre>! boom &lt;1&gt;</pre>');
  });

  it('draws a lane per host and a marker per notable event', () => {
    const svg = timelineSvg(sampleResult());
    expect(svg.match(/class="lane"/g)).toHaveLength(2);
    // start, listening, joined, kill, failover: the standby line is routine.
    expect(svg.match(/<(rect|circle) /g)).toHaveLength(5);
    expect(svg).toContain('<title>650 ms alice failover');
  });
});
