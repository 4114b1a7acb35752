/**
 * Test hooks netsim drives in the apps it runs, inert unless netsim sets their variables (nothing
 * else does): warm starts (IMS_NETSIM_HOLD_FD) and clock jumps (IMS_NETSIM_CLOCK_FILE). Both apps
 * call them from main.ts, the clock first of all, before other modules read the time.
 */
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';

/**
 * Warm starts: with IMS_NETSIM_HOLD_FD set, the process has loaded its modules and waits until
 * netsim writes to that pipe, so netsim can start it ahead of the scenario step that starts it.
 * When the pipe closes without a byte (netsim went away), the process exits instead of running
 * unsupervised. Resolves at once without the variable.
 */
export function netsimHold(): Promise<void> {
  const fd = Number(process.env['IMS_NETSIM_HOLD_FD']);
  delete process.env['IMS_NETSIM_HOLD_FD'];
  if (!Number.isInteger(fd) || fd < 3) return Promise.resolve();
  return new Promise((resolve) => {
    const pipe = new Socket({ fd, readable: true, writable: false });
    pipe.once('data', () => {
      pipe.destroy();
      resolve();
    });
    pipe.once('end', () => process.exit(0));
    pipe.once('error', () => process.exit(0));
  });
}

/**
 * Clock jumps (netsim's `clock:` step): with IMS_NETSIM_CLOCK_FILE set, SIGUSR2 re-reads a
 * millisecond offset from that file and adds it to `Date.now`, so every wall-clock reading jumps
 * while the timers, which are monotonic, go on. Does nothing without the variable.
 */
export function installNetsimClock(): void {
  const file = process.env['IMS_NETSIM_CLOCK_FILE'];
  if (file === undefined || file === '') return;
  const realNow = Date.now.bind(Date);
  let offsetMs = 0;
  Date.now = () => realNow() + offsetMs;
  process.on('SIGUSR2', () => {
    try {
      offsetMs = Number(readFileSync(file, 'utf8').trim()) || 0;
    } catch (err) {
      process.stderr.write(`netsim clock hook: cannot read ${file}: ${(err as Error).message}\n`);
    }
  });
}
