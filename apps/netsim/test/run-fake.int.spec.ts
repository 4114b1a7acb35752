import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand, EXIT } from '../src/cli.js';
import { runScenario } from '../src/runner/run-scenario.js';
import { FAKE_APPS, FIXTURE_SCENARIOS, fixtureScenario, scenarioFrom } from './fake-apps.js';

function pidsOf(events: readonly { event: string; data: Readonly<Record<string, unknown>> }[]): number[] {
  return events.filter((e) => e.event === 'start' || e.event === 'restart').map((e) => Number(e.data['pid']));
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('runScenario with fake apps (local backend)', () => {
  it('runs a crash scenario end to end: takeover measured, every post once, everything stopped', async () => {
    const r = await runScenario(fixtureScenario('fake-crash.yaml'), { apps: FAKE_APPS });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.status).toBe('passed');
    const [kill] = r.failovers;
    expect(kill).toMatchObject({ fault: 'kill', host: 's1', affected: ['alice', 'bob'] });
    expect(kill?.healedMs).toBeGreaterThanOrEqual(0);
    expect(r.events.filter((e) => e.event === 'failover').map((e) => e.host).sort()).toEqual(['alice', 'bob']);
    expect(r.wire.datagrams).toBeGreaterThan(0);
    for (const pid of pidsOf(r.events)) expect(running(pid)).toBe(false);
    expect(existsSync(join(tmpdir(), `imsns-${process.pid}-1`))).toBe(false);
  });

  it('fails a frozen host over only after its announcements stop', async () => {
    const r = await runScenario(fixtureScenario('fake-freeze.yaml'), { apps: FAKE_APPS });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    const [freeze] = r.failovers;
    expect(freeze?.fault).toBe('freeze');
    // The fake client waits three silent intervals (100 ms each) before it gives up on a host.
    expect(freeze?.intervals).toBeGreaterThanOrEqual(2);
  });

  it('fails, naming the line, when the system does not do what the scenario expects', async () => {
    // Without the kill nobody fails over, so the wait must time out.
    const s = fixtureScenario('fake-crash.yaml', (t) => t.replace('  - kill: s1\n', '').replace('within: 20 }\n  - say: { from: bob, text: after }', 'within: 5 }\n  - say: { from: bob, text: after }'));
    const r = await runScenario(s, { apps: FAKE_APPS });
    expect(r.status).toBe('failed');
    const failed = r.checks.find((c) => !c.ok);
    expect(failed).toMatchObject({ name: 'alice, bob failed over to s2 within 5 intervals', line: 17 });
    expect(failed?.problems).toEqual(['no failover to s2: alice (on s1), bob (on s1)']);
  });

  it('types a paced say in the background across a kill, and stops a hog with the timeline', async () => {
    const s = fixtureScenario('fake-crash.yaml', (t) =>
      t
        .replace('  - say: { from: bob, count: 3 }\n', '  - hog: { procs: 1, for: 1000 }\n  - say: { from: [alice, bob], count: 20, rate: 40 }\n  - pause: 2\n')
        .replace('  - wait: { delivered: true, within: 20 }\n  - kill: s1', '  - kill: s1'),
    );
    const r = await runScenario(s, { apps: FAKE_APPS });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    const posts = r.events.filter((e) => e.event === 'post');
    const kill = r.events.find((e) => e.event === 'kill');
    // The burst went on while the timeline killed s1: posts on both sides of the kill.
    expect(posts.filter((p) => p.t < (kill?.t ?? 0)).length).toBeGreaterThan(2);
    expect(posts.filter((p) => p.t > (kill?.t ?? 0)).length).toBeGreaterThan(2);
    expect(r.events.filter((e) => e.event === 'burst-end')).toHaveLength(2);
    const hog = r.events.find((e) => e.event === 'hog');
    expect(hog?.data['pids']).toHaveLength(1);
    for (const pid of hog?.data['pids'] as number[]) expect(running(pid)).toBe(false);
  });

  it('reports a host that dies on its own', async () => {
    // The crashing main prints "listening", then exits with code 3 while the timeline pauses.
    const s = scenarioFrom('announceInterval: 100\nhosts:\n  s1: { kind: server }\nsteps:\n  - start: s1\n  - pause: 10\n');
    const r = await runScenario(s, { apps: { ...FAKE_APPS, server: join(FIXTURE_SCENARIOS, '../crashing-main.ts') } });
    expect(r.status).toBe('failed');
    const crash = r.checks.find((c) => c.name === 'no host crashed');
    expect(crash?.problems).toHaveLength(1);
    expect(crash?.problems[0]).toMatch(/^s1 exited by itself at \d+ ms \(code 3, signal null\)$/);
  });
});

describe('netsim run (CLI)', () => {
  it('exits 0 when every assertion holds and 2 for an invalid scenario', async () => {
    const lines: string[] = [];
    const code = await runCommand(join(FIXTURE_SCENARIOS, 'fake-crash.yaml'), { backend: 'local', repeat: 2, progress: false, json: false, apps: FAKE_APPS }, (s) => lines.push(s));
    expect(code).toBe(EXIT.ok);
    expect(lines.filter((l) => l.startsWith('PASS fake server crash [local]'))).toHaveLength(2);
    expect(lines.at(-1)).toMatch(/fake server crash: 2 runs, 0 failed; failover ms min\/median\/p95\/max \d+\/\d+(\.5)?\/\d+\/\d+ = /);
    const bad = await runCommand(join(FIXTURE_SCENARIOS, '../invalid.yaml'), { backend: 'local', repeat: 1, progress: false, json: false, apps: FAKE_APPS }, () => undefined);
    expect(bad).toBe(EXIT.usage);
  });
});
