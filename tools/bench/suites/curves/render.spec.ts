import { describe, expect, it } from 'vitest';
import { channelsTable, historyTable, membersTable } from './render.js';
import { curvePoints } from './points.js';

const points = curvePoints(1);

describe('curve tables', () => {
  it('gives one row per point, a failed point keeping its key cells and the reason', () => {
    const [one, ten] = points.channels;
    if (!one || !ten) throw new Error('no points');
    const t = channelsTable([
      {
        point: one,
        outcome: { ok: true, seconds: 3, value: { deliveredPerSec: 12_000, p50Ms: 0.2, p99Ms: 2.5, serverCpuPercent: 40, loadCpuPercent: 30, serverRssBytes: 80 * 2 ** 20, setupSeconds: 0.04 } },
      },
      { point: ten, outcome: { ok: false, why: 'over budget (70 s)', seconds: 70 } },
    ]);
    expect(t.rows).toEqual([
      ['1', '3', '3', '4,000', '12 k', '0.2', '2.5', '40', '30', '80.0', '0.0'],
      ['10', '3', '30', '4,000', 'over budget (70 s)', '—', '—', '—', '—', '—', '—'],
    ]);
    expect(t.rows.every((r) => r.length === t.headers.length)).toBe(true);
  });

  it('derives server CPU per delivery in the members table', () => {
    const [p] = points.members;
    if (!p) throw new Error('no points');
    const t = membersTable([{ point: p, outcome: { ok: true, seconds: 1, value: { deliveredPerSec: 500_000, p50Ms: 1, p99Ms: 3, serverCpuPercent: 75, loadCpuPercent: 90, assembleSeconds: 12.34, assembleCpuSeconds: 4.56 } } }]);
    // 0.75 CPU-seconds per second over 500,000 deliveries per second: 1.5 µs each.
    expect(t.rows[0]?.[6]).toBe('1.5');
    expect(t.rows[0]?.[8]).toBe('12.3');
    expect(t.rows[0]?.[9]).toBe('4.6');
  });

  it('leaves the CPU cells of a members run too short for /proc ticks blank', () => {
    const [p] = points.members;
    if (!p) throw new Error('no points');
    const fast = (p.posts * p.members) / 0.1;
    const t = membersTable([{ point: p, outcome: { ok: true, seconds: 1, value: { deliveredPerSec: fast, p50Ms: 1, p99Ms: 3, serverCpuPercent: 0, loadCpuPercent: 90, assembleSeconds: 1, assembleCpuSeconds: 1 } } }]);
    expect(t.rows[0]?.slice(5, 8)).toEqual(['—', '—', '—']);
  });

  it('names the history layout and leaves the join cells of the empty baseline blank', () => {
    const spread = points.history.find((h) => h.layout === 'spread' && h.posts === 1_000_000);
    const base = { fillSeconds: 2, startupMs: 190, rssAfterStartBytes: 2 ** 26, firstJoinMs: Number.NaN, secondJoinMs: Number.NaN, rssAfterJoinBytes: Number.NaN };
    const t = historyTable([
      { point: undefined, outcome: { ok: true, seconds: 1, value: base } },
      { point: spread, outcome: { ok: true, seconds: 9, value: { ...base, firstJoinMs: 25, secondJoinMs: 8, rssAfterJoinBytes: 2 ** 27 } } },
    ]);
    expect(t.rows[0]?.slice(0, 3)).toEqual(['0', 'empty', '0']);
    expect(t.rows[0]?.slice(6)).toEqual(['—', '—', '—']);
    expect(t.rows[1]?.slice(0, 3)).toEqual(['1,000,000', '1,000 ch x 1,000', '1,000']);
  });
});
