/** The `netsim` command line: `run <file|dir>` with backend, repeat, report and progress options; `check` and `new`. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { netnsUnavailableReason, sweepNamespaces } from './backend/netns.js';
import { checkCommand, newCommand } from './cli-authoring.js';
import { sweepRunDirs } from './backend/run-dir.js';
import { NetsimError } from './errors.js';
import { DEFAULT_APP_MAINS, REPO_ROOT, type AppMains } from './proc/launch.js';
import { renderHtml } from './report/html.js';
import { progressLine } from './report/progress.js';
import { summariseRepeats, type RepeatSummary } from './report/stats.js';
import { formatRepeat, formatResult, formatTimeline } from './report/text.js';
import type { RunResult } from './runner/result.js';
import { runScenario } from './runner/run-scenario.js';
import { loadScenarios } from './scenario/parse-scenario.js';
import type { BackendName, Scenario } from './scenario/types.js';

/** Exit codes of `netsim run`. */
export const EXIT = {
  /** Every assertion of every run held (pending and skipped scenarios allowed). */
  ok: 0,
  /** Some assertion failed, or a run could not complete. */
  failed: 1,
  /** Bad usage, or a scenario file does not parse/validate. */
  usage: 2,
  /** The backend cannot run here (netns without root). */
  unavailable: 3,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

/** Options of `netsim run`. */
export interface RunCommandOptions {
  /** @default 'local' */
  readonly backend: BackendName;
  /** @default 1 */
  readonly repeat: number;
  readonly report?: string;
  /** @default on when stderr is a TTY */
  readonly progress: boolean;
  readonly json: boolean;
  readonly apps: AppMains;
  readonly signal?: AbortSignal;
}

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('must be an integer from 1 to 1000');
  return n;
};

/** Runs every scenario under `path`; returns the exit code. */
export async function runCommand(path: string, opts: RunCommandOptions, out: (s: string) => void = (s) => void process.stdout.write(`${s}\n`)): Promise<number> {
  const parsed = await loadScenarios(path);
  const errors = parsed.flatMap((p) => (p.ok ? [] : p.errors));
  if (errors.length > 0) {
    for (const e of errors) process.stderr.write(`${e.message}\n`);
    return EXIT.usage;
  }
  const scenarios = parsed.flatMap((p) => (p.ok ? [p.scenario] : []));
  if (opts.backend === 'netns') {
    const reason = await netnsUnavailableReason();
    if (reason) {
      process.stderr.write(`netsim: ${reason}\n`);
      return EXIT.unavailable;
    }
    const swept = await sweepNamespaces();
    if (swept.length > 0) process.stderr.write(`netsim: removed ${swept.length} namespaces left by dead runs\n`);
  }
  const stale = await sweepRunDirs(REPO_ROOT);
  if (stale.length > 0) process.stderr.write(`netsim: cleaned up ${stale.length} runs left by dead netsim processes\n`);

  const progress = progressLine(opts.progress);
  const results: RunResult[] = [];
  const repeats: RepeatSummary[] = [];
  for (const [si, scenario] of scenarios.entries()) {
    const runs = await repeatScenario(scenario, opts, (text) => progress.update(`[${si + 1}/${scenarios.length}] ${text}`));
    progress.done();
    results.push(...runs);
    const summary = summariseRepeats(runs);
    repeats.push(summary);
    if (!opts.json) {
      for (const r of runs) out(formatResult(r));
      if (runs.length > 1) out(`     ${formatRepeat(summary)}`);
    }
    if (opts.signal?.aborted) break;
  }
  if (opts.report !== undefined) await writeReport(opts.report, results, repeats);
  if (opts.json) out(JSON.stringify({ results: results.map(({ events: _e, logs: _l, ...r }) => r), repeats }, null, 2));
  if (opts.signal?.aborted) return EXIT.interrupted;
  return results.some((r) => r.status === 'failed' || r.status === 'error') ? EXIT.failed : EXIT.ok;
}

async function repeatScenario(scenario: Scenario, opts: RunCommandOptions, show: (t: string) => void): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  for (let i = 0; i < opts.repeat; i++) {
    const tag = opts.repeat > 1 ? ` run ${i + 1}/${opts.repeat}` : '';
    show(`${scenario.name}${tag}: starting`);
    runs.push(
      await runScenario(scenario, {
        backend: opts.backend,
        apps: opts.apps,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onStep: (done, total) => show(`${scenario.name}${tag}: step ${done}/${total}`),
      }),
    );
    if (opts.signal?.aborted || scenario.pending !== undefined || !scenario.backends.includes(opts.backend)) break;
  }
  return runs;
}

/** Writes results.json, one timeline text per run and report.html into `dir`. */
export async function writeReport(dir: string, results: readonly RunResult[], repeats: readonly RepeatSummary[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'results.json'), JSON.stringify({ results, repeats }, null, 2));
  await writeFile(join(dir, 'report.html'), renderHtml(results, repeats));
  await Promise.all(
    results.map((r, i) => {
      const logs = r.status === 'failed' || r.status === 'error' ? Object.entries(r.logs).map(([h, lines]) => `\n--- ${h} (last lines) ---\n${lines.slice(-40).join('\n')}`).join('\n') : '';
      return writeFile(join(dir, `${String(i + 1).padStart(2, '0')}-${r.scenario.replace(/[^A-Za-z0-9_-]+/g, '_')}.timeline.txt`), `${formatResult(r)}\n\n${formatTimeline(r)}\n${logs}`);
    }),
  );
}

/** Builds the commander program; `run` resolves the exit code through `onExit`. */
export function buildProgram(onExit: (code: number) => void, signal?: AbortSignal): Command {
  // exitOverride before adding `run`, so the subcommand inherits it: usage errors become exit 2.
  const program = new Command('netsim').description('multi-process failover simulator for ims').showHelpAfterError().exitOverride();
  program
    .command('run')
    .description('run one scenario file, or every scenario in a folder')
    .argument('<path>', 'scenario file (.yaml, .yml, .json) or folder')
    .addOption(new Option('--backend <name>', 'where hosts run').choices(['local', 'netns']).default('local'))
    .option('--repeat <n>', 'run each scenario n times and report min/median/max failover', positiveInt, 1)
    .option('--report <dir>', 'write results.json, timelines and report.html here')
    .option('--progress', 'show a progress line even when stderr is not a TTY')
    .option('--json', 'print JSON results on stdout instead of text')
    .option('--server-main <file>', 'channel-server entry point', DEFAULT_APP_MAINS.server)
    .option('--client-main <file>', 'peer-client entry point', DEFAULT_APP_MAINS.client)
    .action(async (path: string, o: Record<string, unknown>) => {
      try {
        const code = await runCommand(path, {
          backend: o['backend'] as BackendName,
          repeat: o['repeat'] as number,
          progress: o['progress'] === true || process.stderr.isTTY === true,
          json: o['json'] === true,
          apps: { server: resolve(o['serverMain'] as string), client: resolve(o['clientMain'] as string) },
          ...(typeof o['report'] === 'string' ? { report: o['report'] } : {}),
          ...(signal ? { signal } : {}),
        });
        onExit(code);
      } catch (e) {
        if (!(e instanceof NetsimError)) throw e;
        process.stderr.write(`netsim: ${e.message}\n`);
        onExit(e.code === 'BACKEND_UNAVAILABLE' ? EXIT.unavailable : EXIT.usage);
      }
    });
  program
    .command('check')
    .description('validate scenario files without running them (errors name file:line)')
    .argument('<paths...>', 'scenario files or folders')
    .action(async (paths: string[]) => onExit(await checkCommand(paths, stdoutLine, stderrLine)));
  program
    .command('new')
    .description('write a commented template scenario NAME.yaml that passes check')
    .argument('<name>', 'scenario name, or file name ending in .yaml')
    .option('--dir <dir>', 'folder to write into', '.')
    .action(async (name: string, o: { dir: string }) => onExit(await newCommand(name, o.dir, stdoutLine, stderrLine)));
  return program;
}

const stdoutLine = (s: string): void => void process.stdout.write(`${s}\n`);
const stderrLine = (s: string): void => void process.stderr.write(`${s}\n`);
