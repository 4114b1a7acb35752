/** Child processes for the pack check: run to completion, or follow line by line with deadlines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Environment for the installed programs: none of the caller's IMS_* settings leak in. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IMS_')));
}

/** Runs a command to its end; resolves its exit code and output, never rejects on a non-zero exit. */
export function run(cmd: string, args: readonly string[], opts: { cwd: string; timeoutMs: number }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')}: no end after ${opts.timeoutMs} ms\n${stderr.slice(-2000)}`));
    }, opts.timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A running program whose stdout and stderr lines are kept and can be waited for. */
export class Followed {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  private readonly waiters = new Set<() => void>();
  private exit: Promise<number | null>;

  constructor(
    readonly label: string,
    cmd: string,
    args: readonly string[],
    cwd: string,
  ) {
    this.child = spawn(cmd, args, { cwd, env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    for (const [stream, tag] of [
      [this.child.stdout, 'out'],
      [this.child.stderr, 'err'],
    ] as const) {
      if (stream === null) continue;
      createInterface({ input: stream }).on('line', (line) => {
        this.lines.push(`${tag} ${line}`);
        for (const w of this.waiters) w();
      });
    }
    this.exit = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    void this.exit.then(() => {
      for (const w of this.waiters) w();
    });
  }

  /** The first stdout (`out`) or stderr (`err`) line that parses as JSON and matches; fails after `timeoutMs`. */
  waitJson(tag: 'out' | 'err', match: (o: Record<string, unknown>) => boolean, what: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      let exited = false;
      const check = (): void => {
        for (const l of this.lines) {
          if (!l.startsWith(`${tag} {`)) continue;
          const o = parseObject(l.slice(4));
          if (o !== undefined && match(o)) return done(() => resolve(o));
        }
        if (exited) done(() => reject(new Error(`${this.label} exited before ${what}\n${this.tail()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.label}: no ${what} after ${timeoutMs} ms\n${this.tail()}`))), timeoutMs);
      const done = (f: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        f();
      };
      void this.exit.then(() => {
        exited = true;
        check();
      });
      this.waiters.add(check);
      check();
    });
  }

  /** The exit code; fails after `timeoutMs` (and kills the process). */
  async waitExit(timeoutMs = 30_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`${this.label}: no exit after ${timeoutMs} ms\n${this.tail()}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exit, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last lines, for an error message. */
  tail(n = 30): string {
    return this.lines
      .slice(-n)
      .map((l) => `  ${this.label} ${l}`)
      .join('\n');
  }
}

function parseObject(s: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    // Not every line is JSON (a stack trace, a warning): it is simply not the one waited for.
    return undefined;
  }
}
