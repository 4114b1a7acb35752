#!/usr/bin/env node
/**
 * netsim entry point: `npm run netsim -- run <file|dir> [--backend local|netns] [--repeat N] [--report DIR]`.
 * Ctrl-C aborts the current run, which still cleans up everything it created.
 */
import { CommanderError } from 'commander';
import { buildProgram, EXIT } from './cli.js';

const abort = new AbortController();
let interrupts = 0;
const onSignal = (): void => {
  interrupts += 1;
  // A second Ctrl-C means "now": cleanup of the first one is skipped.
  if (interrupts > 1) process.exit(EXIT.interrupted);
  process.stderr.write('\nnetsim: interrupted, cleaning up…\n');
  abort.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('uncaughtException', (e) => {
  process.stderr.write(`netsim: internal error: ${e.stack ?? String(e)}\n`);
  process.exit(EXIT.failed);
});

try {
  await buildProgram((code) => {
    process.exitCode = code;
  }, abort.signal).parseAsync(process.argv);
} catch (e) {
  // Commander already printed the problem (or the help); usage errors share exit code 2.
  if (!(e instanceof CommanderError)) throw e;
  process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
}
// Stray handles (a child's pipe, a timer) must not keep a finished run alive.
process.exit(process.exitCode ?? EXIT.ok);
