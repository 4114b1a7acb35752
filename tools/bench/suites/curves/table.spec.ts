import { describe, expect, it } from 'vitest';
import { failedRow, formatCount, formatMiB, formatMs, formatRate, formatTable } from './table.js';

describe('formatTable', () => {
  it('right-aligns every column to its widest cell, under a rule, with notes indented', () => {
    const lines = formatTable({ title: 'T', headers: ['a', 'long header'], rows: [['1', '2'], ['333', '4']], notes: ['n'] });
    expect(lines).toEqual(['T', '  a  long header', '---  -----------', '  1            2', '333            4', '  n']);
  });

  it('pads short rows and widens a column for a long cell', () => {
    const lines = formatTable({ title: 'T', headers: ['x', 'y'], rows: [['over budget'], ['1', '2']] });
    expect(lines.slice(1)).toEqual(['          x  y', '-----------  -', 'over budget', '          1  2']);
  });
});

describe('number formats', () => {
  it('groups thousands and shows NaN as a dash', () => {
    expect(formatCount(1_000_000)).toBe('1,000,000');
    expect(formatCount(999.6)).toBe('1,000');
    expect(formatCount(Number.NaN)).toBe('—');
  });

  it('gives rates in k and M above 10,000', () => {
    expect(formatRate(2_999)).toBe('2,999');
    expect(formatRate(158_154)).toBe('158 k');
    expect(formatRate(12_345_678)).toBe('12 M');
  });

  it('gives ms to 3 significant digits below 100 and whole above', () => {
    expect(formatMs(0.17912)).toBe('0.179');
    expect(formatMs(13.812)).toBe('13.8');
    expect(formatMs(1234.5)).toBe('1,235');
    expect(formatMs(Number.POSITIVE_INFINITY)).toBe('—');
  });

  it('gives MiB with one decimal', () => {
    expect(formatMiB(80 * 1024 * 1024)).toBe('80.0');
    expect(formatMiB(Number.NaN)).toBe('—');
  });
});

describe('failedRow', () => {
  it('keeps the key cells, says why in the next, and dashes the rest', () => {
    expect(failedRow(['10', '3'], 5, 'over budget (60 s)')).toEqual(['10', '3', 'over budget (60 s)', '—', '—']);
  });
});
