/** One spawned process (an app, a hostile peer or the wire recorder) with its output as line streams. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Observable, share } from 'rxjs';

/** A line a process wrote, tagged with its stream. */
export interface ProcessLine {
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

/** How a process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running process. Its lines and exit are streams; writes go to its stdin. */
export interface HostProcess {
  readonly pid: number;
  readonly lines$: Observable<ProcessLine>;
  readonly exit: Promise<ProcessExit>;
  /** Whether the process has exited. */
  exited(): boolean;
  /** Writes one line to stdin; false when stdin is gone. */
  writeLine(line: string): boolean;
  /** Closes stdin (EOF). */
  endInput(): void;
  /** Sends a signal; false when the process is gone. */
  signal(sig: NodeJS.Signals): boolean;
  /** Lets a process spawned with `hold` go on (see netsimHold in @ims/app-kit); false when it is gone. */
  release(): boolean;
}

/** The environment variable naming the hold pipe's descriptor in a held process. */
export const HOLD_FD_ENV = 'IMS_NETSIM_HOLD_FD';
/** The held process's end of its hold pipe. */
const HOLD_FD = 3;

/** Lines longer than this are cut: a runaway process must not grow netsim's memory. @default 65536 */
export const MAX_LINE_CHARS = 65_536;

/** Spawns `cmd args` with piped stdio. Throws only when the spawn itself fails. */
export function spawnProcess(cmd: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; hold?: boolean }): Promise<HostProcess> {
  const env = opts.hold ? { ...(opts.env ?? process.env), [HOLD_FD_ENV]: String(HOLD_FD) } : (opts.env ?? process.env);
  const child: ChildProcess = spawn(cmd, [...args], { cwd: opts.cwd, env, stdio: opts.hold ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'] });
  const hold = opts.hold ? (child.stdio[HOLD_FD] as NodeJS.WritableStream & { on(e: 'error', f: () => void): void }) : undefined;
  // A process that died while held closes its end; a late release must not throw.
  hold?.on('error', () => undefined);
  let done = false;
  const exit = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  // A killed child closes its stdin; EPIPE on a late write is expected, not a netsim failure.
  child.stdin?.on('error', () => undefined);
  const lines$ = new Observable<ProcessLine>((sub) => {
    const readers = (['stdout', 'stderr'] as const).flatMap((stream) => {
      const src = child[stream];
      if (!src) return [];
      const rl = createInterface({ input: src, crlfDelay: Infinity });
      rl.on('line', (line) => sub.next({ stream, line: line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line }));
      return [{ rl, closed: new Promise<void>((resolve) => rl.once('close', resolve)) }];
    });
    void Promise.all(readers.map((r) => r.closed)).then(() => sub.complete());
    return () => readers.forEach((r) => r.rl.close());
  }).pipe(share());
  return new Promise((resolve, reject) => {
    child.once('error', (err) => reject(err));
    child.once('spawn', () =>
      resolve({
        pid: child.pid ?? -1,
        lines$,
        exit,
        exited: () => done,
        writeLine: (line) => !done && child.stdin?.writable === true && child.stdin.write(`${line}\n`) !== undefined,
        signal: (sig) => !done && child.kill(sig),
        endInput: () => void child.stdin?.end(),
        release: () => {
          if (done || !hold) return false;
          hold.end('go');
          return true;
        },
      }),
    );
  });
}
