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

  it('says when a run was in secure mode', () => {
    expect(formatResult(sampleResult({ secure: true })).split('\n')[0]).toBe('PASS crash <&> [local, secure] 1.0 s');
  });

  it('names readers that lost or doubled posts, and keeps both ends of a long timeline', () => {
    const readers = { alice: { expected: 3, received: 2, lost: 1, duplicated: 0 }, bob: { expected: 3, received: 3, lost: 0, duplicated: 0 } };
    expect(formatResult(sampleResult({ readers }))).toContain('     readers: alice lost 1/3, 0 twice');
    const t = formatTimeline(sampleResult(), 4).split('\n');
    expect(t).toHaveLength(5);
    expect(t[0]).toContain('s1         » start');
    expect(t[1]).toBe('… 1 event (100–100 ms) left out (see results.json)');
    expect(t[4]).toContain('failover to s2');
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
    expect(svg.match(/<(rect|circle) class="mark"/g)).toHaveLength(5);
    expect(svg).toContain('<title>650 ms alice failover');
  });

  it('collapses the start-up, shades the failover and leaves out teardown exits', () => {
    const r = sampleResult();
    const exit = { t: 990, host: 'alice', source: 'netsim' as const, event: 'exit', data: { code: 0 } };
    const svg = timelineSvg({ ...r, teardownMs: 900, events: [...r.events, { t: 900, host: 'run', source: 'netsim', event: 'teardown', data: {} }, exit] });
    expect(svg).toContain('<g class="collapsed">');
    expect(svg).toContain('start-up 0.1 s');
    expect(svg).toContain('kill → 250 ms');
    expect(svg).toContain('<title>900 ms run teardown');
    expect(svg).not.toContain('990 ms alice exit');
  });

  it('has a legend, checks with their line, a spread per repeated scenario and a chart per fault kind', () => {
    const runs = [sampleResult(), sampleResult({ failovers: [{ fault: 'partition', host: 's1', at: 400, affected: ['alice'], healedMs: 700, intervals: 7 }] })];
    const html = renderHtml(runs, [summariseRepeats(runs)]);
    expect(html).toContain('<ul class="legend">');
    expect(html).toContain('<b>kill</b> netsim killed it (SIGKILL)');
    expect(html).toContain('<td class="check-name">exactly once, in order</td><td class="line">line 3</td>');
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="dist"');
    expect(html).toContain('crash &lt;&amp;&gt;: min 250 · median 475 · p95 700 · max 700 ms over 2 runs');
    expect(html.match(/class="overview"/g)).toHaveLength(1);
    expect(html).toContain('kill (1)');
    expect(html).toContain('partition (1)');
  });
});
