/**
 * Test hook for netsim's clock jumps (the `clock:` step of apps/netsim), inert unless
 * IMS_NETSIM_CLOCK_FILE is set (only netsim sets it): then SIGUSR2 re-reads a millisecond offset
 * from that file and adds it to `Date.now`, so every wall-clock reading jumps while the timers,
 * which are monotonic, go on. Imported first by main.ts.
 */
import { readFileSync } from 'node:fs';

const file = process.env['IMS_NETSIM_CLOCK_FILE'];
if (file !== undefined && file !== '') {
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
