/** A recorded run for the report specs: a crash and a failover, with a hostile name in it. */
import type { RunResult } from '../runner/result.js';

/** Builds a small finished run. */
export function sampleResult(over: Partial<RunResult> = {}): RunResult {
  return {
    scenario: 'crash <&>',
    file: 'crash.yaml',
    backend: 'local',
    status: 'passed',
    announceIntervalMs: 100,
    durationMs: 1_000,
    checks: [
      { name: 'exactly once, in order', line: 3, ok: true, problems: [] },
      { name: 'no host crashed', ok: false, problems: ['s9 exited <by itself>'] },
    ],
    failovers: [{ fault: 'kill', host: 's1', at: 400, affected: ['alice'], healedMs: 250, intervals: 2.5 }],
    wire: { datagrams: 10, decoded: 9, announced: { s1: ['#room'] } },
    events: [
      { t: 0, host: 's1', source: 'netsim', event: 'start', data: {} },
      { t: 100, host: 's1', source: 'app', event: 'listening', data: { port: 50_000 } },
      { t: 200, host: 'alice', source: 'app', event: 'joined', data: { host: 's1' } },
      { t: 300, host: 'alice', source: 'app', event: 'standby', data: { standby: 's2' } },
      { t: 400, host: 's1', source: 'netsim', event: 'kill', data: {} },
      { t: 650, host: 'alice', source: 'app', event: 'failover', data: { host: 's2', from: 's1' } },
    ],
    logs: {},
    ...over,
  };
}
