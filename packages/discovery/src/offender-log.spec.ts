import { describe, expect, it } from 'vitest';
import { createOffenderLog } from './offender-log.js';

describe('createOffenderLog', () => {
  it('counts what it holds back, and the next line of that key reports it', () => {
    const log = createOffenderLog(10_000, 16);
    expect(log.shouldLog('rate\u000010.0.0.9', 0)).toBe(true);
    expect(log.held).toBe(0);
    for (let t = 1; t < 1_000; t++) expect(log.shouldLog('rate\u000010.0.0.9', t)).toBe(false);
    expect(log.shouldLog('rate\u000010.0.0.8', 1_000)).toBe(true);
    expect(log.held).toBe(0);
    expect(log.shouldLog('rate\u000010.0.0.9', 10_000)).toBe(true);
    expect(log.held).toBe(999);
    expect(log.shouldLog('rate\u000010.0.0.9', 20_000)).toBe(true);
    expect(log.held).toBe(0);
  });
});
