/**
 * The plain and the secure ims server side by side: both built servers with the bench's flags, the
 * secure one with `--network-key-file`. A run of either that exits, at start or mid-run, rejects
 * with its exit status and the end of its log instead of leaving a workload waiting for frames.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startIms } from '../server/ims-target.js';
import { stopTarget, type Target } from '../server/proc.js';
import { medianBy } from '../server/stats.js';

/** The secure server could not start or died during a run: the suite reports it and stops. */
export class SecureServerFailed extends Error {
  readonly code = 'SECURE_SERVER_FAILED';
}

/** Each mode's median run of one workload. */
export interface PairRuns<R> {
  readonly plain: R;
  readonly secure: R;
}

/** Where the pair keeps its files: a temp dir holding the key file. */
export interface PairSetup {
  readonly dir: string;
  readonly keyFile: string;
}

/** The last lines of a target's log, for a failure report. */
function tail(t: Target): string {
  return t.log.length === 0 ? '(nothing on stderr)' : t.log.slice(-15).join('\n');
}

/** `work`, or a rejection as soon as one of `targets` exits. */
export function whileAlive<T>(targets: readonly Target[], work: Promise<T>, what: string): Promise<T> {
  const offs: (() => void)[] = [];
  const died = new Promise<never>((_, reject) => {
    for (const t of targets) {
      const fail = (): void => {
        const status = t.child.exitCode ?? t.child.signalCode;
        const err = new Error(`${t.name} exited (${String(status)}) during ${what}; its log ends:\n${tail(t)}`);
        reject(t.name === SECURE_NAME ? new SecureServerFailed(err.message) : err);
      };
      if (t.child.exitCode !== null || t.child.signalCode !== null) fail();
      t.child.once('exit', fail);
      offs.push(() => t.child.off('exit', fail));
    }
  });
  return Promise.race([work, died]).finally(() => offs.forEach((off) => off()));
}

/** The secure server's name in reports and errors. */
export const SECURE_NAME = 'ims secure';

async function startPair(setup: PairSetup, run: number): Promise<Target[]> {
  const plainDir = join(setup.dir, `plain-${run}`);
  const secureDir = join(setup.dir, `secure-${run}`);
  mkdirSync(plainDir);
  mkdirSync(secureDir);
  const plain = await startIms(plainDir, [], 'ims plain');
  try {
    // The identity lands in the data dir (identity.key), made at this start.
    return [plain, await startIms(secureDir, ['--network-key-file', setup.keyFile], SECURE_NAME)];
  } catch (err) {
    await stopTarget(plain);
    throw new SecureServerFailed(`the channel server did not start in secure mode (--network-key-file ${setup.keyFile}): ${(err as Error).message}`);
  }
}

/** A run against the secure server; any failure of it (a refused JOIN, a failed handshake) is the secure side's. */
async function secureRun<R>(run: Promise<R>, what: string): Promise<R> {
  try {
    return await run;
  } catch (err) {
    throw err instanceof SecureServerFailed ? err : new SecureServerFailed(`${what} against the secure server failed: ${(err as Error).message}`);
  }
}

let runs = 0;

/**
 * Run `fn` against a fresh plain and a fresh secure server, `repeats` times each, alternating, and
 * keep each mode's median run by `key`. Both processes are stopped again, also on failure.
 */
export async function comparePair<R>(
  setup: PairSetup,
  fn: (t: Target, mode: 'plain' | 'secure') => Promise<R>,
  key: (r: R) => number,
  what: string,
  repeats = 1,
): Promise<PairRuns<R>> {
  const targets = await startPair(setup, runs++);
  try {
    const results: [R[], R[]] = [[], []];
    for (let i = 0; i < repeats; i++) {
      results[0].push(await whileAlive(targets, fn(targets[0] as Target, 'plain'), `${what} (plain)`));
      results[1].push(await secureRun(whileAlive(targets, fn(targets[1] as Target, 'secure'), `${what} (secure)`), what));
    }
    return { plain: medianBy(results[0], key), secure: medianBy(results[1], key) };
  } finally {
    await Promise.all(targets.map((t) => stopTarget(t)));
  }
}
