import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProgram, EXIT, runCommand } from './cli.js';
import { DEFAULT_APP_MAINS } from './proc/launch.js';

const opts = { backend: 'local' as const, repeat: 1, progress: false, json: false, apps: DEFAULT_APP_MAINS };
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('netsim CLI', () => {
  it('rejects bad options as usage errors, before running anything', async () => {
    const quiet = () => {
      const program = buildProgram(() => undefined);
      for (const c of [program, ...program.commands]) c.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
      return program;
    };
    await expect(quiet().parseAsync(['node', 'netsim', 'run', 'x', '--repeat', '0'])).rejects.toMatchObject({ code: 'commander.invalidArgument' });
    await expect(quiet().parseAsync(['node', 'netsim', 'run', 'x', '--backend', 'vm'])).rejects.toMatchObject({ code: 'commander.invalidArgument' });
  });

  it('exits 2 for a folder whose scenarios do not validate, naming every bad line', async () => {
    dir = await mkdtemp(join(tmpdir(), 'netsim-cli-'));
    await writeFile(join(dir, 'a.yaml'), 'hosts:\n  s1: { kind: server }\nsteps:\n  - kill: s2\n');
    await writeFile(join(dir, 'b.json'), '{"hosts": {"s1": {"kind": "box"}}, "steps": []}');
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => errors.push(s) > 0) as typeof process.stderr.write;
    try {
      expect(await runCommand(dir, opts, () => undefined)).toBe(EXIT.usage);
    } finally {
      process.stderr.write = write;
    }
    expect(errors).toEqual([`${join(dir, 'a.yaml')}:4: unknown host "s2" (steps.0.kill)\n`, `${join(dir, 'b.json')}:1: kind must be server, client or hostile (hosts.s1.kind)\n`]);
  });

  it('reports a missing path with a stable code', async () => {
    await expect(runCommand('/nonexistent/netsim', opts, () => undefined)).rejects.toMatchObject({ code: 'SCENARIO_NOT_FOUND' });
  });

  it('exits 0 for pending and skipped scenarios, prints JSON results and writes the report files', async () => {
    dir = await mkdtemp(join(tmpdir(), 'netsim-cli-'));
    const hosts = 'hosts:\n  s1: { kind: server }\nsteps:\n  - start: s1\n';
    await writeFile(join(dir, 'a.yaml'), `name: waits for a feature\npending: needs INVITE\n${hosts}`);
    await writeFile(join(dir, 'b.yaml'), `name: needs namespaces\nbackends: [netns]\n${hosts}`);
    const out: string[] = [];
    const report = join(dir, 'report');
    expect(await runCommand(dir, { ...opts, json: true, report }, (s) => out.push(s))).toBe(EXIT.ok);
    const json = JSON.parse(out.join('\n')) as { results: { scenario: string; status: string; reason: string }[] };
    expect(json.results.map((r) => [r.scenario, r.status, r.reason])).toEqual([
      ['waits for a feature', 'pending', 'needs INVITE'],
      ['needs namespaces', 'skipped', 'runs on netns only'],
    ]);
    expect((await readdir(report)).sort()).toEqual(['01-waits_for_a_feature.timeline.txt', '02-needs_namespaces.timeline.txt', 'report.html', 'results.json']);
    expect(await readFile(join(report, '01-waits_for_a_feature.timeline.txt'), 'utf8')).toMatch(/^PEND waits for a feature \[local\] 0\.0 s - needs INVITE\n/);
    expect(await readFile(join(report, 'report.html'), 'utf8')).toContain('2 runs: 0 passed, 0 failed, 1 pending, 1 skipped');
  });
});
