import { describe, expect, it } from 'vitest';
import { mentions } from './mention.js';

describe('mentions', () => {
  it.each([
    ['alice: hi', 'alice', true],
    ['hi ALICE!', 'alice', true],
    ['hi @Zoë.', 'zoë', true],
    ['malice aforethought', 'alice', false],
    ['alice2 is not me', 'alice', false],
    ['nobody', 'alice', false],
    ['x', '', false],
  ])('%j names %j: %s', (text, nick, expected) => {
    expect(mentions(text, nick)).toBe(expected);
  });
});
