/** `netsim new NAME` (a commented template) and `netsim check FILE…` (validate without running). */
import { writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { NetsimError } from './errors.js';
import { loadScenarios, parseScenario } from './scenario/parse-scenario.js';
import { scenarioTemplate } from './scenario/template.js';

/** Exit codes shared with `netsim run`: 0 valid, 2 invalid or bad usage. */
const OK = 0;
const INVALID = 2;

/** Validates every scenario under each path; prints each file's errors (file:line) or a summary line. */
export async function checkCommand(paths: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let bad = 0;
  for (const path of paths) {
    const parsed = await loadScenarios(path).catch((e: unknown) => {
      if (!(e instanceof NetsimError)) throw e;
      err(`netsim: ${e.message}`);
      return undefined;
    });
    if (parsed === undefined) {
      bad += 1;
      continue;
    }
    for (const p of parsed) {
      if (!p.ok) {
        bad += 1;
        for (const e of p.errors) err(e.message);
        continue;
      }
      const s = p.scenario;
      const hosts = [...s.hosts.values()];
      const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
      const of = (k: string): number => hosts.filter((h) => h.kind === k).length;
      out(`ok ${s.file}: "${s.name}", ${count(of('server'), 'server')}, ${count(of('client'), 'client')}, ${count(s.steps.length, 'step')}, ${count(s.expect.length, 'expectation')}, runs on ${s.backends.join(', ')}${s.secure ? ', secure mode' : ''}${s.pending !== undefined ? ` (pending: ${s.pending})` : ''}`);
    }
  }
  return bad === 0 ? OK : INVALID;
}

/** The file `netsim new` writes for `name`: `name.yaml` in `dir`, unless `name` has an extension. */
export function templatePath(name: string, dir: string): string {
  return join(dir, extname(name) === '' ? `${name}.yaml` : name);
}

/** Writes the template (never over an existing file); returns the exit code. */
export async function newCommand(name: string, dir: string, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const file = templatePath(name, dir);
  const text = scenarioTemplate(basename(name, extname(name)).replace(/[-_]+/g, ' '));
  // The template must itself pass `check`: a broken one would teach the wrong format.
  const parsed = parseScenario(text, file);
  if (!parsed.ok) throw new Error(`netsim's template does not validate: ${parsed.errors.map((e) => e.message).join('; ')}`);
  try {
    await writeFile(file, text, { flag: 'wx' });
  } catch (e) {
    err(`netsim: cannot write ${file}: ${(e as NodeJS.ErrnoException).code === 'EEXIST' ? 'it exists already' : (e as Error).message}`);
    return INVALID;
  }
  out(`wrote ${file}; check it with: netsim check ${file}`);
  return OK;
}
