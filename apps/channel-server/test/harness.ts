/**
 * Integration-test harness: the real channel server as a child process (exactly as `npm run server`
 * starts it) and raw TCP clients speaking the wire protocol through @ims/codec. Every wait is for an
 * event, bounded by a timeout that only fails the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { SecureMode } from '@ims/secure';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { clientSideDecoder, encodeFrame, type ClientCommand, type ServerCommand } from '@ims/codec';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(appDir, '..', '..');
const MAIN = join(appDir, 'src', 'main.ts');

/** Default wait for one event. Generous for a loaded 2-core machine; only a failure ever waits this long. */
export const WAIT_MS = 15_000;

/** A JSON log line of the server. */
export type LogLine = Record<string, unknown> & { readonly event?: string };

/**
 * Resolves when `check` returns a value, rejects when it throws or after `ms`. `subscribe` registers
 * a callback run on every change and returns its unsubscribe.
 */
function waitFor<T>(what: string, ms: number, subscribe: (onChange: () => void) => () => void, check: () => T | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const settle = (): boolean => {
      try {
        const v = check();
        if (v === undefined) return false;
        resolve(v);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
      return true;
    };
    if (settle()) return;
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const off = subscribe(() => {
      if (!settle()) return;
      clearTimeout(timer);
      off();
    });
  });
}

/** A private UDP port for discovery, so tests never talk to peers running on the default group port. */
export function privateDiscoveryPort(): number {
  return 41_000 + Math.floor(Math.random() * 8_000);
}

/** The channel server running as a child process. */
export class ServerProcess {
  readonly lines: LogLine[] = [];
  /** Everything written to stdout (help text). */
  stdout = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly listeners = new Set<() => void>();

  private constructor(readonly child: ChildProcess) {
    // 'close' (not 'exit') so stdout and stderr are fully read when `exited` resolves.
    this.exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    child.stdout?.setEncoding('utf8').on('data', (t: string) => (this.stdout += t));
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { event: 'non-json', text };
      }
      this.lines.push(line);
      for (const l of this.listeners) l();
    });
    child.once('exit', () => {
      for (const l of this.listeners) l();
    });
  }

  /** Spawn `main.ts` with `args`; does not wait for anything. */
  static spawn(args: readonly string[], env: Readonly<Record<string, string>> = {}): ServerProcess {
    const child = spawn(process.execPath, ['--conditions=@ims/source', '--import', 'tsx', MAIN, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServerProcess(child);
  }

  /** Spawn and wait for the `listening` line. */
  static async start(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<ServerProcess & { port: number; id: string }> {
    const s = ServerProcess.spawn(args, env);
    const line = await s.waitForLine((l) => l.event === 'listening');
    return Object.assign(s, { port: line.port as number, id: line.id as string });
  }

  /** The first log line (already seen or coming) that matches. */
  waitForLine(match: (l: LogLine) => boolean, ms = WAIT_MS): Promise<LogLine> {
    return waitFor(
      'a matching server log line',
      ms,
      (check) => {
        this.listeners.add(check);
        return () => this.listeners.delete(check);
      },
      () => {
        const hit = this.lines.find(match);
        if (hit) return hit;
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
          throw new Error(`server exited (${this.child.exitCode ?? this.child.signalCode}) before the line:\n${JSON.stringify(this.lines)}`);
        }
        return undefined;
      },
    );
  }

  /** Kill it (if still running) and wait for the exit. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** A raw protocol client on one TCP connection. */
export class TestClient {
  readonly received: ServerCommand[] = [];
  /** Frames the decoder rejected (should stay empty). */
  readonly bad: string[] = [];
  readonly closed: Promise<void>;
  private readonly listeners = new Set<() => void>();
  private isClosed = false;

  private constructor(readonly socket: Socket) {
    const decoder = clientSideDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const d of decoder.push(chunk)) {
        if (d.ok) this.received.push(d.value);
        else this.bad.push(d.error.code);
      }
      for (const l of this.listeners) l();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        for (const l of this.listeners) l();
        resolve();
      }),
    );
  }

  /** Connect to a server on 127.0.0.1, from `localAddress` (another loopback address plays another machine). */
  static connect(port: number, localAddress?: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1', ...(localAddress === undefined ? {} : { localAddress }) });
      s.once('connect', () => resolve(new TestClient(s)));
      s.once('error', reject);
    });
  }

  /** Connect over TLS 1.3 as a secure-mode member (docs/security.md §3.2); rejects when the handshake fails. */
  static connectSecure(port: number, mode: SecureMode, localAddress?: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const s = connectTls({
        port,
        host: '127.0.0.1',
        ...(localAddress === undefined ? {} : { localAddress }),
        ...mode.tls(),
        ca: [...mode.tls().ca],
        minVersion: 'TLSv1.3',
        checkServerIdentity: () => undefined,
      });
      s.once('secureConnect', () => resolve(new TestClient(s)));
      s.once('error', reject);
    });
  }

  /** Connect and JOIN `channel` as `id`. */
  static async join(port: number, channel: string, id: string, localAddress?: string): Promise<TestClient> {
    const c = await TestClient.connect(port, localAddress);
    c.send({ cmd: 'JOIN', channel, clientId: id });
    return c;
  }

  /** Send one command. */
  send(cmd: ClientCommand): void {
    this.socket.write(encodeFrame(cmd));
  }

  /** Send raw bytes (abuse tests). */
  sendRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Resolve once `received` satisfies `match` (returns the matching frames so far). */
  waitFor(what: string, match: (received: readonly ServerCommand[]) => boolean, ms = WAIT_MS): Promise<readonly ServerCommand[]> {
    return waitFor(
      what,
      ms,
      (check) => {
        this.listeners.add(check);
        return () => this.listeners.delete(check);
      },
      () => {
        if (match(this.received)) return this.received;
        if (this.isClosed) throw new Error(`connection closed while waiting for ${what}; got ${JSON.stringify(this.received)}`);
        return undefined;
      },
    );
  }

  /** The texts of SAY frames received, as `author: text`. */
  says(): string[] {
    return this.received.flatMap((c) => (c.cmd === 'SAY' ? [`${c.authorId}: ${c.text}`] : []));
  }

  /** Close the socket now. */
  destroy(): void {
    this.socket.destroy();
  }
}

/** Scrape `url` until its body matches `pattern` (each scrape is a fresh reading); reject after `ms`. */
export async function scrapeUntil(url: string, pattern: RegExp, ms = WAIT_MS): Promise<string> {
  const deadline = Date.now() + ms;
  let body = '';
  while (Date.now() < deadline) {
    body = await (await fetch(url)).text();
    if (pattern.test(body)) return body;
  }
  throw new Error(`timed out after ${ms} ms waiting for ${pattern} in ${url}; last body:\n${body}`);
}
