import { describe, expect, it } from 'vitest';
import { afterFlush, beforeFlush, cancelFlush, scheduleFlush } from './flush-scheduler.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('flush scheduler', () => {
  it('flushes each connection once per turn, then runs after-flush callbacks', async () => {
    const log: string[] = [];
    const a = { flush: () => log.push('a') };
    const b = { flush: () => log.push('b') };
    scheduleFlush(a);
    afterFlush(() => log.push('after'));
    scheduleFlush(b);
    scheduleFlush(a);
    expect(log).toEqual([]);
    await turn();
    expect(log).toEqual(['a', 'b', 'after']);
  });

  it('runs before-flush callbacks first, and what they queue goes out in the same flush', async () => {
    const log: string[] = [];
    const a = { flush: () => log.push('a') };
    afterFlush(() => log.push('after'));
    beforeFlush(() => {
      log.push('before');
      scheduleFlush(a);
    });
    await turn();
    expect(log).toEqual(['before', 'a', 'after']);
  });

  it('skips a cancelled connection', async () => {
    const log: string[] = [];
    const a = { flush: () => log.push('a') };
    scheduleFlush(a);
    cancelFlush(a);
    await turn();
    expect(log).toEqual([]);
  });
});
