/** The per-worker lines of a `--workers N` server's /metrics (README "Workers"), after the box's totals. Pure. */
import type { WorkerSample } from './aggregate.js';
import type { WorkerInfo } from './worker-pool.js';

/** One `{worker="i"}` family per gauge or counter; a worker that did not answer shows only `ims_worker_up 0`. */
export function renderWorkerMetrics(info: readonly WorkerInfo[], samples: readonly (WorkerSample | undefined)[]): string {
  const lines: string[] = [];
  const family = (name: string, type: 'gauge' | 'counter', help: string, value: (w: WorkerInfo, s: WorkerSample | undefined) => number | undefined): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const w of info) {
      const v = value(w, samples[w.index]);
      if (v !== undefined) lines.push(`${name}{worker="${w.index}"} ${v}`);
    }
  };
  family('ims_worker_up', 'gauge', 'Worker process serving and answering (1) or not (0).', (w, s) => (w.ready && s !== undefined ? 1 : 0));
  family('ims_worker_restarts_total', 'counter', 'Times the worker was started again after it exited unasked.', (w) => w.restarts);
  family('ims_worker_channels', 'gauge', 'Live channels the worker hosts.', (_, s) => s?.host.channels);
  family('ims_worker_connections', 'gauge', 'Open member connections of the worker.', (_, s) => s?.host.connections);
  family('ims_worker_frames_out_total', 'counter', 'Frames the worker queued to members (a fan-out counts once per member).', (_, s) => s?.host.framesOut);
  family('ims_worker_cpu_seconds_total', 'counter', 'CPU time (user + system) of the worker process.', (_, s) => s && s.cpuUs / 1e6);
  family('ims_worker_resident_memory_bytes', 'gauge', 'Resident memory of the worker process.', (_, s) => s?.rssBytes);
  return lines.join('\n') + '\n';
}
