/** The netns backend: only as root with a working `ip netns`; otherwise skipped with the reason. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { netemUnavailableReason, netnsUnavailableReason } from '../src/backend/netns.js';
import { networkFor } from '../src/faults/network-choice.js';
import { runScenario } from '../src/runner/run-scenario.js';
import { formatResult, formatTimeline } from '../src/report/text.js';
import { FAKE_APPS, fixtureScenario, scenarioFrom } from './fake-apps.js';

const reason = await netnsUnavailableReason();
if (reason) process.stdout.write(`netns tests skipped: ${reason}\n`);
const netemReason = reason ?? (await netemUnavailableReason());
if (netemReason && !reason) process.stdout.write(`no netem here (${netemReason}): link faults use the userspace switch\n`);
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
    expect(r.checks.find((c) => !c.ok)?.name).toMatch(/failed over within 3 intervals/);
    expect(ourNamespaces()).toEqual([]);
  });

  it('delivers through a delayed, lossy link, and says which mechanism made it', async () => {
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
    // netem where the kernel has it (detected once), else netsim's userspace switch.
    const mechanism = netemReason === undefined ? 'netem' : 'switch';
    expect(r.events.find((e) => e.event === 'network')?.data).toEqual({ backend: 'netns', mechanism });
    expect(r.network).toBe(mechanism);
    if (mechanism === 'switch') expect(r.frames?.['delivered']).toBeGreaterThan(0);
    expect(r.events.find((e) => e.event === 'netem')?.data).toMatchObject({ hosts: ['alice'], delayMs: 40, lossPercent: 5, network: mechanism });
    expect(ourNamespaces()).toEqual([]);
  });

  it('picks the userspace switch for a one-way partition, and a plain bridge without network faults', async () => {
    const oneWay = scenarioFrom(readFileSync(join(suite, '20-one-way-partition.yaml'), 'utf8'));
    expect(await networkFor(oneWay)).toEqual({ network: 'switch' });
    expect(await networkFor(fixtureScenario('fake-crash.yaml'))).toEqual({ network: 'bridge' });
  });

  // Every netns-only scenario; the local ones run in scenario-suite.int.spec.ts.
  for (const f of ['06-partition-heal.yaml', '09-hostile-peer.yaml', '12-lossy-link.yaml', '15-partition-no-standby.yaml', '20-one-way-partition.yaml', '21-rough-links.yaml', '26-secure-partition-heal.yaml', '28-secure-sniffing.yaml']) {
    it(`real apps: ${f}`, { timeout: 120_000 }, async () => {
      const scenario = scenarioFrom(readFileSync(join(suite, f), 'utf8'), join(suite, f));
      const r = await runScenario(scenario, { backend: 'netns' });
      if (r.status !== 'passed') process.stderr.write(`${formatResult(r)}\n${formatTimeline(r, 150)}\n`);
      expect(r.checks.filter((c) => !c.ok)).toEqual([]);
      expect(ourNamespaces()).toEqual([]);
    });
  }
});
