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
}

/** Lines longer than this are cut: a runaway process must not grow netsim's memory. @default 65536 */
export const MAX_LINE_CHARS = 65_536;

/** Spawns `cmd args` with piped stdio. Throws only when the spawn itself fails. */
export function spawnProcess(cmd: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<HostProcess> {
  const child: ChildProcess = spawn(cmd, [...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
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
      }),
    );
  });
}
