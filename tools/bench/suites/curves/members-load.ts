/**
 * The members curve's workload: `members` members in one channel, joined one connect at a time
 * (timed: each JOIN also costs the members already there), then the server suite's fan-out pump:
 * one sender, 64 posts in flight, after an unmeasured fifth of the posts for the JIT.
 */
import { performance } from 'node:perf_hooks';
import { joinMany } from '../server/load-client.js';
import { cpuSeconds, type Target } from '../server/proc.js';
import { pumpFanOut } from '../server/workloads.js';
import { spreadDial, warmUp } from './channels-load.js';
import type { MembersPoint } from './points.js';
import type { MembersPointResult } from './render.js';

/** Posts in flight from the one sender (the server suite's window). */
const WINDOW = 64;

/** Run one members point against a started server; every client is closed again, also on failure. */
export async function runMembersPoint(target: Target, p: MembersPoint, deadline: number): Promise<MembersPointResult> {
  const pid = target.child.pid as number;
  const t0 = performance.now();
  const cpu0 = cpuSeconds(pid);
  const channel = `#members-${p.members}-${Date.now()}`;
  const clients = await joinMany(target.port, p.members, () => channel, spreadDial(), 1);
  try {
    await warmUp([clients], deadline);
    const assembleSeconds = (performance.now() - t0) / 1000;
    const assembleCpuSeconds = cpuSeconds(pid) - cpu0;
    await pumpFanOut(pid, clients, Math.ceil(p.posts / 5), WINDOW);
    return { ...(await pumpFanOut(pid, clients, p.posts, WINDOW)), assembleSeconds, assembleCpuSeconds };
  } finally {
    for (const c of clients) c.close();
  }
}
