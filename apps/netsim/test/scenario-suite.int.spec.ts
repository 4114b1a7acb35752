/**
 * The scenario suite in apps/netsim/scenarios, against the real apps on the local backend.
 * Pending scenarios must report pending; netns-only ones run in netns.int.spec.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/runner/run-scenario.js';
import { planRun } from '../src/faults/requirements.js';
import { formatResult, formatTimeline } from '../src/report/text.js';
import { scenarioFrom } from './fake-apps.js';
import { BUILT_APP_MAINS, DEFAULT_APP_MAINS } from '../src/proc/launch.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../scenarios');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
/** Why a scenario's faults cannot be made on this machine (a full disk needs root), by file. */
const cannotHere = new Map(
  await Promise.all(files.map(async (f) => [f, (await planRun(scenarioFrom(readFileSync(join(dir, f), 'utf8'), join(dir, f)), 'local')).reason] as const)),
);
/**
 * `NETSIM_APPS=dist` (set by the `test-int` target, which builds the apps first) runs the compiled
 * apps: they start about four times faster than through tsx, so 100 client processes fit in CI.
 * Run directly with vitest, the suite uses the sources and skips the 100-client crowd unless
 * `NETSIM_CROWD=1`.
 */
const useDist = process.env['NETSIM_APPS'] === 'dist';
if (useDist && !(existsSync(BUILT_APP_MAINS.server) && existsSync(BUILT_APP_MAINS.client))) {
  throw new Error('NETSIM_APPS=dist but the apps are not built: run `npm run build` (or the test-int target through nx)');
}
const apps = useDist ? BUILT_APP_MAINS : DEFAULT_APP_MAINS;
const crowd = useDist || process.env['NETSIM_CROWD'] === '1';

describe('scenario suite (local backend, real apps)', () => {
  it('has scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const f of files) {
    const scenario = scenarioFrom(readFileSync(join(dir, f), 'utf8'), join(dir, f));
    const runsHere = scenario.backends.includes('local') && (crowd || f !== '07-crowd.yaml');
    const cannot = cannotHere.get(f);
    if (runsHere && cannot !== undefined) {
      it.skip(`${f}: ${cannot}`, () => undefined);
      continue;
    }
    if (!runsHere) {
      it.skip(`${f}: ${scenario.backends.includes('local') ? 'set NETSIM_APPS=dist (built apps) or NETSIM_CROWD=1 to run 100 processes' : 'netns only'}`, () => undefined);
      continue;
    }
    it(f, { timeout: scenario.timeoutMs + 30_000 }, async () => {
      const r = await runScenario(scenario, { backend: 'local', apps });
      if (scenario.pending !== undefined) {
        expect(r.status).toBe('pending');
        return;
      }
      // On failure, the verdict and timeline are the useful part of the CI log.
      if (r.status !== 'passed') process.stderr.write(`${formatResult(r)}\n${formatTimeline(r, 150)}\n`);
      expect(r.checks.filter((c) => !c.ok)).toEqual([]);
      expect(r.status).toBe('passed');
    });
  }
});
