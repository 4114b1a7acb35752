import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installNetsimClock, netsimHold } from './netsim-hooks.js';

const realNow = Date.now;
afterEach(() => {
  Date.now = realNow;
  delete process.env['IMS_NETSIM_CLOCK_FILE'];
  process.removeAllListeners('SIGUSR2');
});

describe('netsim hooks', () => {
  it('are inert without their variables', async () => {
    installNetsimClock();
    expect(Date.now).toBe(realNow);
    await expect(netsimHold()).resolves.toBeUndefined();
  });

  it('shift Date.now by the offset in the clock file at each SIGUSR2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ims-clock-'));
    try {
      const file = join(dir, 'offset');
      process.env['IMS_NETSIM_CLOCK_FILE'] = file;
      installNetsimClock();
      writeFileSync(file, '3600000\n');
      process.emit('SIGUSR2', 'SIGUSR2');
      expect(Date.now() - realNow()).toBeGreaterThanOrEqual(3_600_000 - 50);
      writeFileSync(file, '0');
      process.emit('SIGUSR2', 'SIGUSR2');
      expect(Math.abs(Date.now() - realNow())).toBeLessThan(50);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
