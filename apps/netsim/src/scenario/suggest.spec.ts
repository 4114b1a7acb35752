import { describe, expect, it } from 'vitest';
import { editDistance, suggest } from './suggest.js';

describe('suggest', () => {
  it('measures edits, a swap of neighbours counting one', () => {
    expect(editDistance('kill', 'kill')).toBe(0);
    expect(editDistance('puase', 'pause')).toBe(1);
    expect(editDistance('standy', 'standby')).toBe(1);
    expect(editDistance('abc', '')).toBe(3);
  });

  it('names the closest key when it is close enough, or a key the word begins', () => {
    const keys = ['kind', 'args', 'standbyFor', 'dataDir'];
    expect(suggest('standbyfor', keys)).toBe('standbyFor');
    expect(suggest('standby', keys)).toBe('standbyFor');
    expect(suggest('standy', keys)).toBe('standbyFor');
    expect(suggest('datadir', keys)).toBe('dataDir');
    expect(suggest('colour', keys)).toBeUndefined();
    expect(suggest('x', keys)).toBeUndefined();
  });
});
