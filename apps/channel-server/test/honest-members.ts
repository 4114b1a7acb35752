/**
 * Honest members for the process fuzz test: raw TCP members that post at a steady pace and record
 * when each post reached them, and a `chat --json` peer-client (spawned, never imported: an app
 * does not import another app). Every wait is for an event, bounded by a timeout that only fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { clientSideDecoder, encodeFrame } from '@ims/codec';

const PEER_CLIENT_MAIN = fileURLToPath(new URL('../../peer-client/src/main.ts', import.meta.url));

/** When each honest post was sent (ms since the epoch), by its text; shared by all members. */
export type SentLog = Map<string, number>;

/** What one honest member received: arrivals of each text, and the delivery latencies of honest posts. */
export interface Received {
  readonly counts: Map<string, number>;
  readonly latencies: number[];
}

/** Resolves when `done()` holds, checked on every `onChange`; rejects when it throws, or after `ms` with `what()`. */
export function until(subscribe: (onChange: () => void) => () => void, done: () => boolean, ms: number, what: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    let off = (): void => undefined;
    const t: { timer?: NodeJS.Timeout } = {};
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      let ok: boolean;
      try {
        ok = done();
      } catch (err) {
        ok = true;
        reject(err instanceof Error ? err : new Error(String(err)));
      }
      if (!ok) return;
      settled = true;
      clearTimeout(t.timer);
      off();
      resolve();
    };
    settle();
    if (settled) return;
    t.timer = setTimeout(() => {
      settled = true;
      off();
      reject(new Error(`timed out after ${ms} ms: ${what()}`));
    }, ms);
    off = subscribe(settle);
  });
}

/** A raw member on 127.0.0.1 that joins a channel and posts `id-n` on `post()`. */
export class RawMember implements Received {
  readonly counts = new Map<string, number>();
  readonly latencies: number[] = [];
  readonly errors: string[] = [];
  closed = false;
  private joined = false;
  private seq = 0;
  private readonly listeners = new Set<() => void>();

  private constructor(
    private readonly socket: Socket,
    readonly id: string,
    private readonly sent: SentLog,
  ) {
    const decoder = clientSideDecoder();
    socket.on('data', (chunk: Buffer) => {
      const now = Date.now();
      for (const d of decoder.push(chunk)) {
        if (!d.ok) continue;
        const c = d.value;
        if (c.cmd === 'STANDBY') this.joined = true;
        else if (c.cmd === 'ERROR') this.errors.push(c.reason);
        else if (c.cmd === 'SAY') this.arrived(c.text, now);
      }
      for (const l of this.listeners) l();
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.closed = true;
      for (const l of this.listeners) l();
    });
  }

  /** Connects, JOINs `channel` as `id` and resolves on its STANDBY. */
  static async join(port: number, channel: string, id: string, sent: SentLog, ms: number): Promise<RawMember> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1' });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    const m = new RawMember(socket, id, sent);
    socket.write(encodeFrame({ cmd: 'JOIN', channel, clientId: id }));
    await m.until(() => m.joined, ms, () => `${id}: no STANDBY after JOIN`);
    return m;
  }

  /** Posts the next text; returns it. */
  post(): string {
    const text = `${this.id}-${String(this.seq++).padStart(5, '0')}`;
    this.sent.set(text, Date.now());
    this.socket.write(encodeFrame({ cmd: 'SAY', text }));
    return text;
  }

  /** Resolves once `done()` holds; rejects on timeout or when the connection closes first. */
  until(done: () => boolean, ms: number, what: () => string): Promise<void> {
    return until(
      (l) => {
        this.listeners.add(l);
        return () => this.listeners.delete(l);
      },
      () => {
        if (done()) return true;
        if (this.closed) throw new Error(`${this.id}: connection closed while waiting: ${what()}; errors ${JSON.stringify(this.errors)}`);
        return false;
      },
      ms,
      what,
    );
  }

  private arrived(text: string, now: number): void {
    this.counts.set(text, (this.counts.get(text) ?? 0) + 1);
    const at = this.sent.get(text);
    if (at !== undefined && this.counts.get(text) === 1) this.latencies.push(now - at);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** One JSON line of `chat --json`. */
export type ChatEvent = Record<string, unknown> & { readonly event: string };

/** A `peer-client chat <channel> --json` process, an honest member too. */
export class ChatMember implements Received {
  readonly counts = new Map<string, number>();
  readonly latencies: number[] = [];
  readonly events: ChatEvent[] = [];
  readonly exited: Promise<number | string>;
  private stderrTail = '';
  private seq = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly id: string,
    args: readonly string[],
    private readonly sent: SentLog,
  ) {
    const proc: ChildProcess = spawn(process.execPath, ['--conditions=@ims/source', '--import', 'tsx', PEER_CLIENT_MAIN, '--id', id, '--nick', `n-${id}`, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.proc = proc;
    proc.stdin?.on('error', () => undefined);
    proc.stderr?.on('data', (c: Buffer) => (this.stderrTail = (this.stderrTail + c.toString()).slice(-4_000)));
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let e: ChatEvent;
      try {
        e = JSON.parse(line) as ChatEvent;
      } catch {
        e = { event: 'not-json', line };
      }
      this.events.push(e);
      if ((e.event === 'say' || e.event === 'history') && typeof e['text'] === 'string') this.arrived(e['text'], Number(e['ts']));
      for (const l of this.listeners) l();
    });
    this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
    void this.exited.then(() => {
      for (const l of this.listeners) l();
    });
  }

  readonly proc: ChildProcess;

  /** True while the process runs. */
  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Posts the next text through stdin; returns it. */
  post(): string {
    const text = `${this.id}-${String(this.seq++).padStart(5, '0')}`;
    this.sent.set(text, Date.now());
    this.proc.stdin?.write(text + '\n');
    return text;
  }

  /** Resolves once `done()` holds; rejects on timeout or when the process exits first. */
  until(done: () => boolean, ms: number, what: () => string): Promise<void> {
    return until(
      (l) => {
        this.listeners.add(l);
        return () => this.listeners.delete(l);
      },
      () => {
        if (done()) return true;
        if (!this.alive) throw new Error(`${this.id} exited while waiting: ${what()}; stderr: ${this.stderrTail}`);
        return false;
      },
      ms,
      () => `${what()}; events: ${JSON.stringify(this.events.slice(-20))}; stderr: ${this.stderrTail}`,
    );
  }

  /** EOF on stdin: leave and exit. */
  end(): void {
    this.proc.stdin?.end();
  }

  /** SIGKILL if still running. */
  async kill(): Promise<void> {
    if (this.alive) this.proc.kill('SIGKILL');
    await this.exited;
  }

  private arrived(text: string, ts: number): void {
    this.counts.set(text, (this.counts.get(text) ?? 0) + 1);
    const at = this.sent.get(text);
    if (at !== undefined && this.counts.get(text) === 1) this.latencies.push(ts - at);
  }
}
