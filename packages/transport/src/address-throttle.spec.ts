import { describe, expect, it } from 'vitest';
import { AddressThrottle } from './address-throttle.js';

describe('AddressThrottle', () => {
  it('lets one event per address through per interval, and reports how many it held back', () => {
    const t = new AddressThrottle(10_000);
    expect(t.take('10.0.0.1', 0)).toBe(0);
    expect(t.take('10.0.0.1', 1)).toBeUndefined();
    expect(t.take('10.0.0.1', 9_999)).toBeUndefined();
    expect(t.take('10.0.0.2', 9_999)).toBe(0);
    expect(t.take('10.0.0.1', 10_000)).toBe(2);
    expect(t.take('10.0.0.1', 10_001)).toBeUndefined();
  });

  it('forgets the address logged longest ago past its bound', () => {
    const t = new AddressThrottle(10_000, 2);
    t.take('a', 0);
    t.take('b', 1);
    t.take('c', 2); // forgets 'a'
    expect(t.take('a', 3)).toBe(0);
    expect(t.take('c', 4)).toBeUndefined();
  });
});
