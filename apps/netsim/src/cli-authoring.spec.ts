import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkCommand, newCommand } from './cli-authoring.js';
import { buildProgram } from './cli.js';
import { parseScenario } from './scenario/parse-scenario.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function sink() {
  const lines: string[] = [];
  return { lines, write: (s: string) => void lines.push(s) };
}

describe('netsim new and check', () => {
  it('writes a commented template that passes check, and never overwrites a file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'netsim-new-'));
    const out = sink();
    const err = sink();
    expect(await newCommand('my-crash', dir, out.write, err.write)).toBe(0);
    const file = join(dir, 'my-crash.yaml');
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(/^# A netsim scenario/);
    const parsed = parseScenario(text, file);
    expect(parsed.ok && parsed.scenario.name).toBe('my crash');
    expect(await checkCommand([file], out.write, err.write)).toBe(0);
    expect(out.lines.at(-1)).toBe(`ok ${file}: "my crash", 1 server, 3 clients, 12 steps, 5 expectations, runs on local, netns`);
    expect(await newCommand('my-crash', dir, out.write, err.write)).toBe(2);
    expect(err.lines).toEqual([`netsim: cannot write ${file}: it exists already`]);
  });

  it('says when a scenario runs in secure mode, and the template turns it on by one line', async () => {
    dir = await mkdtemp(join(tmpdir(), 'netsim-new-'));
    const out = sink();
    const err = sink();
    expect(await newCommand('my-crash', dir, out.write, err.write)).toBe(0);
    const file = join(dir, 'my-crash.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('# secure: true   ', 'secure: true     '));
    expect(await checkCommand([file], out.write, err.write)).toBe(0);
    expect(out.lines.at(-1)).toMatch(/runs on local, netns, secure mode$/);
  });

  it('is wired into the netsim program as new and check', async () => {
    dir = await mkdtemp(join(tmpdir(), 'netsim-new-'));
    const codes: number[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      await buildProgram((c) => codes.push(c)).parseAsync(['node', 'netsim', 'new', 'x', '--dir', dir]);
      await buildProgram((c) => codes.push(c)).parseAsync(['node', 'netsim', 'check', join(dir, 'x.yaml')]);
    } finally {
      process.stdout.write = write;
    }
    expect(codes).toEqual([0, 0]);
  });

  it('names every bad line with a suggestion, and exits 2', async () => {
    dir = await mkdtemp(join(tmpdir(), 'netsim-check-'));
    const file = join(dir, 'typo.yaml');
    await writeFile(file, 'hosts:\n  s1: { kind: server, standy: all }\nsteps:\n  - strat: s1\n');
    const err = sink();
    expect(await checkCommand([file, join(dir, 'missing.yaml')], () => undefined, err.write)).toBe(2);
    expect(err.lines).toHaveLength(3);
    expect(err.lines[0]).toBe(`${file}:2: unknown key "standy"; did you mean "standbyFor"? (expected one of: kind, args, standbyFor, dataDir, secure) (hosts.s1.standy)`);
    expect(err.lines[1]).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}:4: unknown step "strat"; did you mean "start"\\? \\(a step has exactly one of: start, join, `));
    expect(err.lines[2]).toBe(`netsim: no such scenario file or folder: ${join(dir, 'missing.yaml')}`);
  });
});
