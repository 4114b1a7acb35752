/**
 * Clock jumps: each host of a scenario with a `clock` step gets `IMS_NETSIM_CLOCK_FILE`, a file
 * holding its wall-clock offset in ms; the apps (their src/netsim-clock.ts) re-read it on
 * SIGUSR2 and add it to `Date.now`. Timers are monotonic and go on as before, as on a machine
 * whose clock is stepped (NTP, a VM resumed).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The environment variable the apps read the offset file's path from. */
export const CLOCK_FILE_ENV = 'IMS_NETSIM_CLOCK_FILE';

/** The offset file of `host`. */
export function clockFile(runDir: string, host: string): string {
  return join(runDir, 'clock', host);
}

/** Adds `jumpMs` to `host`'s offset; resolves with the new offset (the host still needs SIGUSR2). */
export async function jumpClock(runDir: string, host: string, jumpMs: number): Promise<number> {
  const file = clockFile(runDir, host);
  await mkdir(join(runDir, 'clock'), { recursive: true });
  const now = Number((await readFile(file, 'utf8').catch(() => '0')).trim()) || 0;
  await writeFile(file, String(now + jumpMs));
  return now + jumpMs;
}
