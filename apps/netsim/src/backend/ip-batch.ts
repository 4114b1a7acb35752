/** Runs `ip`/`tc` commands: one at a time, or many in one `-batch` process (one step, fast). */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { NetsimError } from '../errors.js';

const exec = promisify(execFile);

/** Runs `cmd args`; failures become BACKEND_COMMAND errors naming the command. */
export async function run(cmd: string, args: readonly string[]): Promise<string> {
  try {
    return (await exec(cmd, [...args])).stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new NetsimError('BACKEND_COMMAND', `${cmd} ${args.join(' ')}: ${(err.stderr ?? err.message).trim()}`, { cause: e });
  }
}

/**
 * Runs `lines` through `cmd [-n ns] -batch -` in one process: the kernel sees them back to back,
 * which is what makes a partition one step rather than port after port. Stops at the first
 * failing line (named in the error).
 */
export function runBatch(cmd: 'ip' | 'tc', lines: readonly string[], ns?: string): Promise<void> {
  if (lines.length === 0) return Promise.resolve();
  const args = [...(ns !== undefined ? (cmd === 'ip' ? ['-n', ns] : []) : []), '-batch', '-'];
  const full = cmd === 'tc' && ns !== undefined ? { cmd: 'ip', args: ['netns', 'exec', ns, 'tc', ...args] } : { cmd, args };
  return new Promise((resolve, reject) => {
    const child = spawn(full.cmd, full.args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (e) => reject(new NetsimError('BACKEND_COMMAND', `${full.cmd} ${full.args.join(' ')}: ${e.message}`, { cause: e })));
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new NetsimError('BACKEND_COMMAND', `${cmd} -batch${ns ? ` in ${ns}` : ''} failed (${stderr.trim()}) running:\n${lines.join('\n')}`));
    });
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}
