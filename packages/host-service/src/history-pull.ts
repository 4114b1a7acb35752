/**
 * One history pull (docs/protocol.md §5.8): dial another host, JOIN the channel, read its history
 * (the SAYs before the first STANDBY, §2.6), EXIT. Plain protocol: an ims host adds each post's
 * time (§2.8), a plain one does not. Bounded by the history limit, the frame size and a timeout.
 */
import { type Decoded, type ServerCommand, clientSideDecoder, encodeFrame } from '@ims/codec';
import type { PulledPost } from '@ims/channel-core';
import type { CloseInfo, Connection, ConnectionSink, Transport } from '@ims/transport';
import type { SchedulerLike, Subscription } from 'rxjs';

/** Where to pull from. */
export interface PullTarget {
  readonly address: string;
  readonly port: number;
  readonly channel: string;
}

/** How to pull. */
export interface PullOptions {
  readonly transport: Transport;
  readonly scheduler: SchedulerLike;
  /** JOIN's clientId: the other host's members see it join and leave. */
  readonly clientId: string;
  /** Posts kept (the newest). */
  readonly historyLimit: number;
  /** Largest frame accepted from the other host. */
  readonly maxFrameBytes: number;
  /** ms from the dial until the history must have arrived. */
  readonly timeoutMs: number;
}

/** Why a pull failed: a stable code and a human-readable reason. */
export type PullFailureCode = 'DIAL_FAILED' | 'REFUSED' | 'CLOSED' | 'BAD_FRAME' | 'TIMEOUT';

/** The outcome of one pull. */
export type PullResult =
  | { readonly ok: true; readonly posts: PulledPost[]; readonly total: number }
  | { readonly ok: false; readonly code: PullFailureCode; readonly reason: string };

const EXIT = encodeFrame({ cmd: 'EXIT' });

/** Reads frames until the first STANDBY; settles once. */
class PullSink implements ConnectionSink<ServerCommand> {
  private posts: PulledPost[] = [];
  private total = 0;
  private settled = false;

  constructor(
    private readonly conn: Connection<ServerCommand>,
    private readonly limit: number,
    private readonly settle: (r: PullResult) => void,
  ) {}

  frame(d: Decoded<ServerCommand>): void {
    if (this.settled) return;
    if (!d.ok) {
      // §6.1: a bad frame is dropped; a fatal one poisons the stream.
      if (d.error.fatal) this.fail('BAD_FRAME', d.error.code);
      return;
    }
    const c = d.value;
    if (c.cmd === 'SAY') {
      this.total++;
      this.posts.push(c.at === undefined ? { authorId: c.authorId, text: c.text } : { authorId: c.authorId, text: c.text, at: c.at });
      // Trimmed in blocks: keep the newest `limit` without a shift per post.
      if (this.posts.length >= 2 * this.limit + 16) this.posts = this.posts.slice(-this.limit);
    } else if (c.cmd === 'STANDBY') {
      this.conn.write(EXIT);
      this.conn.close('history pulled');
      this.done({ ok: true, posts: this.limit === 0 ? [] : this.posts.slice(-this.limit), total: this.total });
    } else {
      this.fail('REFUSED', c.reason);
    }
  }

  closed(info: CloseInfo): void {
    this.done({ ok: false, code: 'CLOSED', reason: info.reason });
  }

  /** The pull took too long. */
  timeout(): void {
    this.fail('TIMEOUT', 'no STANDBY in time');
  }

  private fail(code: PullFailureCode, reason: string): void {
    // docs/protocol.md §2.7: a host that has our JOIN and did not refuse it gets EXIT before we close,
    // also when we give up (a server that never sends STANDBY, §7.7, would spin on a vanished member).
    if (code === 'TIMEOUT' || code === 'BAD_FRAME') {
      this.conn.write(EXIT);
      this.conn.close(`history pull: ${code}`);
    } else this.conn.destroy(`history pull: ${code}`);
    this.done({ ok: false, code, reason });
  }

  private done(r: PullResult): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(r);
  }
}

/** Pulls `target.channel`'s history from the host at `target`; never rejects. */
export async function pullHistory(target: PullTarget, opts: PullOptions): Promise<PullResult> {
  let sink: PullSink | undefined;
  let timedOut = false;
  const timer: Subscription = opts.scheduler.schedule(() => {
    timedOut = true;
    sink?.timeout();
  }, opts.timeoutMs);
  try {
    let conn: Connection<ServerCommand>;
    try {
      conn = await opts.transport.dial<ServerCommand>({
        host: target.address,
        port: target.port,
        decoder: () => clientSideDecoder({ maxFrameBytes: opts.maxFrameBytes }),
        connectTimeoutMs: opts.timeoutMs,
      });
    } catch (err) {
      return { ok: false, code: 'DIAL_FAILED', reason: err instanceof Error ? err.message : String(err) };
    }
    if (timedOut) {
      conn.destroy('history pull: TIMEOUT');
      return { ok: false, code: 'TIMEOUT', reason: 'dial took too long' };
    }
    return await new Promise<PullResult>((resolve) => {
      sink = new PullSink(conn, opts.historyLimit, resolve);
      conn.attach(sink);
      conn.write(encodeFrame({ cmd: 'JOIN', channel: target.channel, clientId: opts.clientId }));
    });
  } finally {
    timer.unsubscribe();
  }
}
