import { describe, expect, it } from 'vitest';
import { AddressBudgets } from './address-budget.js';

describe('AddressBudgets', () => {
  it('hands every connection of an address the same bucket', () => {
    const b = new AddressBudgets(1, 2);
    const one = b.acquire('10.0.0.1', 0);
    expect(b.acquire('10.0.0.1', 0)).toBe(one);
    expect(b.acquire('10.0.0.2', 0)).not.toBe(one);
  });

  it('sweeps only refilled buckets of addresses without connections', () => {
    const b = new AddressBudgets(1_000, 1);
    const busy = b.acquire('10.9.9.9', 0);
    busy.take(0);
    const spent = b.acquire('10.9.9.8', 0);
    spent.take(0);
    b.release(spent);
    // Thousands of one-off addresses, each gone and refilled by the next sweep.
    for (let i = 0; i < 5_000; i++) b.release(b.acquire(`10.0.${i >> 8}.${i & 255}`, 0));
    expect(b.size).toBeLessThanOrEqual(2_048);
    expect(b.acquire('10.9.9.9', 0)).toBe(busy);
    // Still spent at time 0 (swept only once refilled): the same bucket, not a fresh one.
    expect(b.acquire('10.9.9.8', 0)).toBe(spent);
  });
});
