import { describe, expect, it } from 'vitest';
import { parseBoolean, parseBytes, parseDuration, parseInteger } from './parse.js';

describe('config parsers', () => {
  it.each([
    [250, 250], ['250', 250], ['250ms', 250], ['2s', 2000], ['1.5m', 90_000], ['1h', 3_600_000],
    ['-1', undefined], [-5, undefined], ['2 days', undefined], ['', undefined], [null, undefined],
  ])('parseDuration(%j) = %j', (input, out) => expect(parseDuration(input)).toBe(out));

  it.each([
    ['42', 42], [' -7 ', -7], ['10_000', 10_000], [3, 3], [3.5, undefined], ['3.5', undefined], ['x', undefined],
    ['99999999999999999999', undefined],
  ])('parseInteger(%j) = %j', (input, out) => expect(parseInteger(input)).toBe(out));

  it.each([
    ['true', true], ['ON', true], ['0', false], ['no', false], [true, true], [0, false], ['maybe', undefined],
  ])('parseBoolean(%j) = %j', (input, out) => expect(parseBoolean(input)).toBe(out));

  it.each([
    ['65536', 65_536], ['64KiB', 65_536], ['1MiB', 1_048_576], ['512b', 512], ['2k', 2048], ['1.5k', undefined], [-1, undefined],
  ])('parseBytes(%j) = %j', (input, out) => expect(parseBytes(input)).toBe(out));
});
