/**
 * Durability-test helper: a raw TCP author that keeps `window` SAYs in flight and matches every
 * reply to its SAYs in order (docs/protocol.md §6.2: one reply per SAY, the echo or an ERROR), so
 * it knows exactly which posts the host acknowledged.
 */
import { connect, type Socket } from 'node:net';
import { clientSideDecoder, encodeFrame, type ServerCommand } from '@ims/codec';
import { WAIT_MS } from './harness.js';

/** Options of {@link PostingAuthor.start}. */
export interface AuthorOptions {
  /** SAYs in flight at once. @default 8 */
  readonly window?: number;
  /** Characters added to each text (bigger posts fill a disk sooner). @default 0 */
  readonly padding?: number;
}

/** One author posting continuously to one channel. */
export class PostingAuthor {
  /** Texts whose echo came back: acknowledged, so they must survive anything. */
  readonly acked: string[] = [];
  /** Texts answered with an ERROR instead (by code). */
  readonly refused: { readonly text: string; readonly code: string }[] = [];
  /** Replies that did not match the oldest SAY in flight (should stay empty). */
  readonly mismatches: string[] = [];
  readonly closed: Promise<void>;
  private readonly inflight: string[] = [];
  private readonly listeners = new Set<() => void>();
  private seq = 0;
  private paused = true;
  private joined = false;

  private constructor(
    private readonly socket: Socket,
    readonly id: string,
    private readonly window: number,
    private readonly pad: string,
  ) {
    const decoder = clientSideDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const d of decoder.push(chunk)) if (d.ok) this.onCommand(d.value);
      this.pump();
      for (const l of this.listeners) l();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.closed.then(() => {
      for (const l of this.listeners) l();
    }, () => undefined);
  }

  /** Connects to 127.0.0.1:`port`, JOINs `channel` as `id` and resolves once joined (STANDBY seen). Posting starts with `resume()`. */
  static async start(port: number, channel: string, id: string, options: AuthorOptions = {}): Promise<PostingAuthor> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1' });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    const a = new PostingAuthor(socket, id, options.window ?? 8, 'x'.repeat(options.padding ?? 0));
    socket.write(encodeFrame({ cmd: 'JOIN', channel, clientId: id }));
    await a.until('STANDBY after JOIN', () => a.joined);
    return a;
  }

  /** Keep `window` SAYs in flight from now on. */
  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** Send no more SAYs; resolves once every SAY in flight got its reply. */
  async pause(): Promise<void> {
    this.paused = true;
    await this.until('replies to every SAY in flight', () => this.inflight.length === 0);
  }

  /** Resolves once `done()` holds; rejects after `ms` or if the connection closes first. */
  until(what: string, done: () => boolean, ms = WAIT_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      let closed = false;
      void this.closed.then(() => (closed = true));
      const check = (): void => {
        if (done()) finish(undefined);
        else if (closed) finish(new Error(`${this.id}: connection closed waiting for ${what}`));
      };
      const timer = setTimeout(() => finish(new Error(`${this.id}: timed out after ${ms} ms waiting for ${what}`)), ms);
      const finish = (err: Error | undefined): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        if (err) reject(err);
        else resolve();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Close the socket now. */
  destroy(): void {
    this.socket.destroy();
  }

  private onCommand(c: ServerCommand): void {
    if (c.cmd === 'STANDBY') this.joined = true;
    if (c.cmd === 'SAY' && c.authorId === this.id) this.answer(c.text, undefined);
    if (c.cmd === 'ERROR') this.answer(undefined, c.reason.split(':')[0] ?? c.reason);
  }

  /** The oldest SAY in flight got its reply: its echo (`text`) or an ERROR (`code`). */
  private answer(text: string | undefined, code: string | undefined): void {
    const oldest = this.inflight.shift();
    if (oldest === undefined || (text !== undefined && text !== oldest)) {
      this.mismatches.push(`${text ?? code} while ${oldest ?? 'nothing'} was oldest in flight`);
      return;
    }
    if (code === undefined) this.acked.push(oldest);
    else this.refused.push({ text: oldest, code });
  }

  private pump(): void {
    while (!this.paused && this.joined && this.inflight.length < this.window && !this.socket.destroyed) {
      const text = `${this.id}.${this.seq++}${this.pad}`;
      this.inflight.push(text);
      this.socket.write(encodeFrame({ cmd: 'SAY', text }));
    }
  }
}
