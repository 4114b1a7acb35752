import { describe, expect, it } from 'vitest';
import { generateNetworkKey, isKeyPeerId } from '@ims/secure';
import { benchNames, memberPool } from './members.js';

describe('memberPool', () => {
  it('gives each name its own key-derived identity, made once and then cached', () => {
    const pool = memberPool(generateNetworkKey());
    const names = benchNames(3);
    expect(names).toEqual(['bench-0', 'bench-1', 'bench-2']);
    expect(pool.prepare(names)).toBeGreaterThan(0);
    expect(pool.size).toBe(3);
    const ids = names.map((n) => pool.modeOf(n).identity.peerId);
    expect(new Set(ids).size).toBe(3);
    expect(ids.every(isKeyPeerId)).toBe(true);
    expect(pool.modeOf('bench-1')).toBe(pool.modeOf('bench-1'));
    expect(pool.prepare(names)).toBeNaN();
    expect(pool.size).toBe(3);
  });
});
