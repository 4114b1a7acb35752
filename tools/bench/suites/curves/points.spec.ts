import { describe, expect, it } from 'vitest';
import { CONNECTIONS_PER_ADDRESS, curvePoints, FD_RESERVE, MEMBERS_PER_CHANNEL, membersPerChannel, sourceAddressOf, SPREAD_PER_CHANNEL, TOTAL_POST_RATE } from './points.js';

describe('curvePoints', () => {
  it('runs the sizes of issue 13 item 3 in a full run, in ascending order', () => {
    const p = curvePoints(1);
    expect(p.channels.map((c) => c.channels)).toEqual([1, 10, 100, 1_000, 10_000]);
    expect(p.members.map((m) => m.members)).toEqual([10, 100, 1_000, 5_000]);
    expect([...new Set(p.history.map((h) => h.posts))]).toEqual([1_000, 10_000, 100_000, 1_000_000]);
  });

  it('keeps the total post rate and the members per channel fixed along the channels curve', () => {
    for (const c of curvePoints(1).channels) {
      expect(c.totalRate).toBe(TOTAL_POST_RATE);
      expect(c.membersPer).toBe(MEMBERS_PER_CHANNEL);
    }
  });

  it('gives every members point about the same number of deliveries', () => {
    const deliveries = curvePoints(1).members.map((m) => m.members * m.posts);
    expect(Math.max(...deliveries) / Math.min(...deliveries)).toBeLessThan(1.1);
  });

  it('lays each history size out in one channel and, above the default retention, in channels of 1,000', () => {
    const h = curvePoints(1).history;
    expect(h.filter((x) => x.posts === 1_000)).toEqual([expect.objectContaining({ layout: 'one-channel', channels: 1, perChannel: 1_000 })]);
    const mill = h.filter((x) => x.posts === 1_000_000);
    expect(mill).toEqual([
      expect.objectContaining({ layout: 'one-channel', channels: 1, perChannel: 1_000_000 }),
      expect.objectContaining({ layout: 'spread', channels: 1_000, perChannel: SPREAD_PER_CHANNEL }),
    ]);
    for (const x of h) expect(x.channels * x.perChannel).toBe(x.posts);
  });

  it('gives larger points larger budgets', () => {
    const budgets = curvePoints(1).channels.map((c) => c.budgetMs);
    expect([...budgets].sort((a, b) => a - b)).toEqual(budgets);
  });

  it('in --quick keeps only the small end of each curve, with less load', () => {
    const q = curvePoints(0.1);
    const full = curvePoints(1);
    expect(Math.max(...q.channels.map((c) => c.channels))).toBeLessThan(10_000);
    expect(Math.max(...q.members.map((m) => m.members))).toBeLessThan(5_000);
    expect(Math.max(...q.history.map((h) => h.posts))).toBeLessThan(100_000);
    expect(q.channels[0]?.seconds).toBeLessThan(full.channels[0]?.seconds ?? 0);
  });

  it('lowers the members per channel only for points whose connections do not fit in the descriptor limit', () => {
    const p = curvePoints(1, 20_000);
    expect(p.channels.map((c) => c.membersPer)).toEqual([3, 3, 3, 3, 1]);
    expect(membersPerChannel(10_000, 2 * 10_000 + FD_RESERVE)).toBe(2);
    expect(membersPerChannel(100_000, 1_000)).toBe(1);
  });
});

describe('sourceAddressOf', () => {
  it('moves to the next 127.0.0.x every CONNECTIONS_PER_ADDRESS connections', () => {
    expect(sourceAddressOf(0)).toBe('127.0.0.1');
    expect(sourceAddressOf(CONNECTIONS_PER_ADDRESS - 1)).toBe('127.0.0.1');
    expect(sourceAddressOf(CONNECTIONS_PER_ADDRESS)).toBe('127.0.0.2');
    expect(sourceAddressOf(3 * CONNECTIONS_PER_ADDRESS - 1)).toBe('127.0.0.3');
  });
});
