import { describe, expect, it } from 'vitest';
import { convergenceWinner } from './convergence.js';

describe('convergenceWinner', () => {
  it.each([
    [[], undefined],
    [['b'], 'b'],
    [['b', 'a', 'c'], 'a'],
    [['peer-10', 'peer-9'], 'peer-10'],
    [['a', 'B'], 'B'],
  ])('%j → %s', (ids, winner) => {
    expect(convergenceWinner(ids)).toBe(winner);
  });
});
