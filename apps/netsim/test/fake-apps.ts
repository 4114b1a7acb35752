/** The fake apps and helpers for netsim's integration tests. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../src/scenario/parse-scenario.js';
import type { Scenario } from '../src/scenario/types.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Entry points of the fake server and client. */
export const FAKE_APPS = { server: join(here, 'fixtures/fake-server.ts'), client: join(here, 'fixtures/fake-client.ts') };

/** Folder of the fixture scenarios. */
export const FIXTURE_SCENARIOS = join(here, 'fixtures/scenarios');

/** Parses a scenario text, failing the test on a validation error. */
export function scenarioFrom(text: string, file = 'inline.yaml'): Scenario {
  const r = parseScenario(text, file);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.scenario;
}

/** Loads a fixture scenario, optionally editing its text first. */
export function fixtureScenario(name: string, edit: (text: string) => string = (t) => t): Scenario {
  const file = join(FIXTURE_SCENARIOS, name);
  return scenarioFrom(edit(readFileSync(file, 'utf8')), file);
}
