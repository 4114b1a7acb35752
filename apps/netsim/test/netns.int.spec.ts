/** The netns backend: only as root with a working `ip netns`; otherwise skipped with the reason. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { netemUnavailableReason, netnsUnavailableReason } from '../src/backend/netns.js';
import { runScenario } from '../src/runner/run-scenario.js';
import { formatResult, formatTimeline } from '../src/report/text.js';
import { FAKE_APPS, fixtureScenario, scenarioFrom } from './fake-apps.js';

const reason = await netnsUnavailableReason();
if (reason) process.stdout.write(`netns tests skipped: ${reason}\n`);
const netemReason = reason ?? (await netemUnavailableReason());
if (netemReason && !reason) process.stdout.write(`netem tests skipped: ${netemReason}\n`);
const suite = join(dirname(fileURLToPath(import.meta.url)), '../scenarios');

function ourNamespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`imsns-${process.pid}-`));
}

describe.skipIf(reason !== undefined)('netns backend', () => {
  it('runs the fake crash scenario in namespaces and removes them afterwards', async () => {
    const r = await runScenario(fixtureScenario('fake-crash.yaml'), { backend: 'netns', apps: FAKE_APPS });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    // The wire recorder sat in its own namespace: it saw the hosts' 10.77/16 addresses, not loopback.
    expect(r.wire.datagrams).toBeGreaterThan(0);
    expect(ourNamespaces()).toEqual([]);
  });

  it('removes everything after a failed run', async () => {
    const s = fixtureScenario('fake-crash.yaml', (t) => t.replace('  - kill: s1\n', '  - wait: { failover: [alice], within: 3 }\n'));
    const r = await runScenario(s, { backend: 'netns', apps: FAKE_APPS });
    expect(r.status).toBe('failed');
    expect(r.checks.find((c) => !c.ok)?.name).toMatch(/^wait failover within 3 intervals/);
    expect(ourNamespaces()).toEqual([]);
  });

  it.skipIf(netemReason !== undefined)('delivers through a delayed, lossy link', async () => {
    const s = scenarioFrom(`announceInterval: 100
backends: [netns]
hosts:
  s1: { kind: server }
  alice: { kind: client, channel: '#room', server: s1 }
  bob: { kind: client, channel: '#room', server: s1 }
steps:
  - start: s1
  - join: [alice, bob]
  - wait: { joined: [alice, bob], within: 50 }
  - netem: { hosts: [alice], delay: 40, loss: 5 }
  - say: { from: [alice, bob], count: 5 }
  - wait: { delivered: true, within: 50 }
expect:
  - exactlyOnce: true
`);
    const r = await runScenario(s, { backend: 'netns', apps: FAKE_APPS });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.events.some((e) => e.event === 'netem')).toBe(true);
    expect(ourNamespaces()).toEqual([]);
  });

  it.skipIf(netemReason === undefined)('skips a netem scenario, saying why, where the kernel lacks netem', async () => {
    const r = await runScenario(scenarioFrom(readFileSync(join(suite, '12-lossy-link.yaml'), 'utf8')), { backend: 'netns' });
    expect(r).toMatchObject({ status: 'skipped', reason: netemReason, events: [] });
  });

  it.skipIf(netemReason !== undefined)('real apps: 12-lossy-link.yaml', { timeout: 120_000 }, async () => {
    const r = await runScenario(scenarioFrom(readFileSync(join(suite, '12-lossy-link.yaml'), 'utf8')), { backend: 'netns' });
    if (r.status !== 'passed') process.stderr.write(`${formatResult(r)}\n${formatTimeline(r, 150)}\n`);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  });

  for (const f of ['06-partition-heal.yaml', '09-hostile-peer.yaml', '15-partition-no-standby.yaml']) {
    it(`real apps: ${f}`, { timeout: 120_000 }, async () => {
      const scenario = scenarioFrom(readFileSync(join(suite, f), 'utf8'), join(suite, f));
      const r = await runScenario(scenario, { backend: 'netns' });
      if (r.status !== 'passed') process.stderr.write(`${formatResult(r)}\n${formatTimeline(r, 150)}\n`);
      expect(r.checks.filter((c) => !c.ok)).toEqual([]);
      expect(ourNamespaces()).toEqual([]);
    });
  }
});
