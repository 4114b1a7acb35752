import { describe, expect, it } from 'vitest';
import { fanoutP99MsOf } from './proc.js';
import { Samples, pairedRatios } from './stats.js';

describe('Samples', () => {
  it('gives nearest-rank percentiles over unsorted input, growing past its first buffer', () => {
    const s = new Samples();
    for (let i = 2000; i >= 1; i--) s.push(i);
    expect(s.length).toBe(2000);
    expect(s.percentile(50)).toBe(1000);
    expect(s.percentile(99)).toBe(1980);
    expect(s.percentile(100)).toBe(2000);
    expect(s.percentile(0)).toBe(1);
  });

  it('is NaN when empty', () => {
    expect(new Samples().percentile(50)).toBeNaN();
  });
});

describe('fanoutP99MsOf', () => {
  it('takes the first bucket bound holding 99% of the samples', () => {
    const text = [
      'ims_fanout_latency_seconds_bucket{le="0.0001"} 90',
      'ims_fanout_latency_seconds_bucket{le="0.0002"} 98',
      'ims_fanout_latency_seconds_bucket{le="0.0004"} 100',
      'ims_fanout_latency_seconds_bucket{le="+Inf"} 100',
    ].join('\n');
    expect(fanoutP99MsOf(text)).toBeCloseTo(0.4, 9);
    expect(fanoutP99MsOf('ims_fanout_latency_seconds_bucket{le="+Inf"} 0')).toBeNaN();
  });
});

describe('pairedRatios', () => {
  it('takes the median of per-round ratios apart from the ratio of the medians', () => {
    // Each round's load moves both of its runs: per round ims is 1.2, 0.89 and 1.67 × the base.
    const r = pairedRatios([0.6, 0.4, 0.5], [0.5, 0.45, 0.3]);
    expect(r.medianOfRatios).toBeCloseTo(1.2, 9);
    expect(r.ims).toBeCloseTo(0.5, 9);
    expect(r.base).toBeCloseTo(0.45, 9);
    expect(r.ratioOfMedians).toBeCloseTo(0.5 / 0.45, 9);
  });

  it('refuses rounds that do not pair', () => {
    expect(() => pairedRatios([1, 2], [1])).toThrow(RangeError);
    expect(() => pairedRatios([], [])).toThrow(RangeError);
  });
});
