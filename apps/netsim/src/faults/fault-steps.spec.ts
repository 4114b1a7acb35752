import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/parse-scenario.js';
import { netemArgs } from './network-choice.js';

const scenario = (steps: string, top = ''): ReturnType<typeof parseScenario> =>
  parseScenario(
    `${top}hosts:
  s1: { kind: server, dataDir: true }
  s2: { kind: server }
  alice: { kind: client, channel: '#room', server: s1 }
steps:
${steps}`,
    'f.yaml',
  );

const errorsOf = (steps: string): string[] => {
  const r = scenario(steps);
  if (r.ok) throw new Error('expected errors');
  return r.errors.map((e) => e.message);
};

describe('fault steps in a scenario', () => {
  it('reads every fault step, with its line', () => {
    const r = scenario(
      `  - netem: { hosts: [alice], delay: 40, jitter: 30, loss: 1, duplicate: 10, reorder: 20, rate: 64 }
  - partition: { from: [s1], to: [alice] }
  - starve: { hosts: [s1], cpu: 2, for: 30 }
  - diskFull: s1
  - diskFree: [s1]
  - clock: { hosts: [s1, alice], jump: -3600000 }
`,
      'startupTimeout: 45\nbackends: [netns]\n',
    );
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    expect(r.scenario.startupTimeoutMs).toBe(45_000);
    expect(r.scenario.steps).toEqual([
      { kind: 'netem', hosts: ['alice'], fault: { delayMs: 40, jitterMs: 30, lossPercent: 1, duplicatePercent: 10, reorderPercent: 20, rateKbit: 64 }, line: 8 },
      { kind: 'cut', from: ['s1'], to: ['alice'], line: 9 },
      { kind: 'starve', hosts: ['s1'], cpuPercent: 2, intervals: 30, line: 10 },
      { kind: 'diskFull', hosts: ['s1'], line: 11 },
      { kind: 'diskFree', hosts: ['s1'], line: 12 },
      { kind: 'clock', hosts: ['s1', 'alice'], jumpMs: -3_600_000, line: 13 },
    ]);
  });

  it('names the line and the problem of a bad fault step', () => {
    expect(errorsOf('  - netem: { hosts: [alice], delay: -1 }\n').join('\n')).toMatch(/f\.yaml:6: .*delay \(ms\)/);
    expect(errorsOf('  - netem: { hosts: [alice], rate: 0 }\n').join('\n')).toMatch(/rate must be above 0/);
    expect(errorsOf('  - partition: { from: [s1], to: [s1] }\n').join('\n')).toMatch(/both sides of a one-way partition/);
    expect(errorsOf('  - partition: { from: [s9], to: [alice] }\n').join('\n')).toMatch(/unknown host "s9"/);
    expect(errorsOf('  - diskFull: alice\n').join('\n')).toMatch(/host "alice" is a client, expected server/);
    expect(errorsOf('  - starve: { hosts: [s1], cpu: 0, for: 3 }\n').join('\n')).toMatch(/cpu/);
    expect(errorsOf('  - clock: { hosts: [s1] }\n').join('\n')).toMatch(/jump/);
  });

  it('gives netem the same knobs in its own words', () => {
    expect(netemArgs({ delayMs: 40, jitterMs: 30, lossPercent: 1, duplicatePercent: 10, reorderPercent: 20, rateKbit: 64 })).toEqual(['delay', '40ms', '30ms', 'loss', '1%', 'duplicate', '10%', 'reorder', '20%', 'rate', '64kbit']);
    expect(netemArgs({})).toEqual(['delay', '0ms']);
  });
});
