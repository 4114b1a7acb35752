/**
 * `npm run bench [-- --json FILE] [--quick] [--only NAME]`: runs every suite in ./suites and prints
 * one line per figure. Suites measure their own baseline in the same run, so ratios compare like
 * with like on whatever machine runs them.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { formatFigure, makeFigure, type BenchSuite, type Figure } from './report.js';

const program = new Command()
  .name('bench')
  .description('ims benchmarks: codec, discovery, channel hosting, secure mode next to plain, cost curves (suites curves and secure only with --only)')
  .option('--json <file>', 'also write the figures as a JSON array to FILE')
  .option('--quick', 'run every suite at a tenth of its size (smoke test)', false)
  .option('--only <names>', 'comma-separated suite names to run')
  .parse();
const opts = program.opts<{ json?: string; quick: boolean; only?: string }>();

const suitesDir = join(dirname(fileURLToPath(import.meta.url)), 'suites');
const files = (await readdir(suitesDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts')).sort();
const only = opts.only?.split(',').map((s) => s.trim());
// Suites that run only when named in --only: the cost curves take about ten minutes, secure mode's
// cost about two (2,000 TLS members' identities, every workload twice); both run the server's build.
const OPT_IN = ['curves', 'secure'];
const figures: Figure[] = [];
for (const file of files) {
  const suite = ((await import(pathToFileURL(join(suitesDir, file)).href)) as { default: BenchSuite }).default;
  if (only ? !only.includes(suite.name) : OPT_IN.includes(suite.name)) {
    if (!only) process.stderr.write(`bench: ${suite.name} skipped (run it with --only ${suite.name})\n`);
    continue;
  }
  process.stderr.write(`bench: running ${suite.name}\n`);
  await suite.run({
    scale: opts.quick ? 0.1 : 1,
    progress: (m) => process.stderr.write(`bench ${suite.name}: ${m}\n`),
    figure: (name, value, unit, baseline = null) => {
      const f = makeFigure(name, value, unit, baseline);
      figures.push(f);
      process.stdout.write(formatFigure(f) + '\n');
      return f;
    },
  });
}
if (opts.json) await writeFile(opts.json, JSON.stringify(figures, null, 2) + '\n');
