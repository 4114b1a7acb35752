import { describe, expect, it } from 'vitest';
import { ConfigError } from '@ims/app-kit';
import { DEFAULT_HOST_LIMITS, resolveHostLimits } from './host-limits.js';

describe('resolveHostLimits', () => {
  it('fills defaults and keeps given values', () => {
    const l = resolveHostLimits({ maxConnections: 5, idleTimeoutMs: 0 });
    expect(l).toEqual({ ...DEFAULT_HOST_LIMITS, maxConnections: 5, idleTimeoutMs: 0 });
    expect(Object.isFrozen(l)).toBe(true);
  });

  it.each([
    ['maxConnections', 0],
    ['floodRate', 0],
    ['maxFrameBytes', Number.NaN],
    ['idleTimeoutMs', -1],
    ['maxInviteIds', 0],
    ['invitesPerSecond', 0],
  ] as const)('rejects %s = %s naming the key', (key, value) => {
    expect(() => resolveHostLimits({ [key]: value })).toThrow(ConfigError);
    expect(() => resolveHostLimits({ [key]: value })).toThrow(key);
  });
});
