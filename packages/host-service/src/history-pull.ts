/**
 * One history pull (docs/protocol.md §5.8): dial another host, JOIN the channel, read its history
 * (the SAYs before the first STANDBY, §2.6), EXIT. Plain protocol: an ims host adds each post's
 * time (§2.8), a plain one does not. Bounded by the history limit, the frame size and a timeout.
 */
import { type Decoded, type ServerCommand, clientSideDecoder, encodeFrame } from '@ims/codec';
import type { PulledPost } from '@ims/channel-core';
import { type CloseInfo, type Connection, type ConnectionSink, type Transport, TransportError } from '@ims/transport';
import type { SchedulerLike, Subscription } from 'rxjs';

/** Where to pull from. */
export interface PullTarget {
  /** The other host's peer ID (discovery's): in secure mode the pull fails with PEER_MISMATCH unless the remote proves it. */
  readonly peerId: string;
  readonly address: string;
  readonly port: number;
  readonly channel: string;
}

/** How to pull. */
export interface PullOptions {
  readonly transport: Transport;
  readonly scheduler: SchedulerLike;
  /** JOIN's clientId on a plain connection: the other host's members see it join and leave. */
  readonly clientId: string;
  /**
   * JOIN's clientId on a secure one (the remote proved its peer ID, `Connection.peerId`): this
   * host's own peer ID, the one our certificate proves, the only one the other host accepts
   * there (IDENTITY_MISMATCH otherwise, docs/protocol.md §6.2).
   */
  readonly provenClientId: string;
  /** Posts kept (the newest). */
  readonly historyLimit: number;
  /** Largest frame accepted from the other host. */
  readonly maxFrameBytes: number;
  /** ms from the dial until the history must have arrived. */
  readonly timeoutMs: number;
}

/** Why a pull failed: a stable code and a human-readable reason (PEER_MISMATCH: secure mode, another identity answers at the endpoint). */
export type PullFailureCode = 'DIAL_FAILED' | 'PEER_MISMATCH' | 'REFUSED' | 'CLOSED' | 'BAD_FRAME' | 'TIMEOUT';

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
      // PEER_MISMATCH: another identity answers there (a forged PDU's endpoint); nothing was sent to it.
      const code = err instanceof TransportError && err.code === 'PEER_MISMATCH' ? 'PEER_MISMATCH' : 'DIAL_FAILED';
      return { ok: false, code, reason: err instanceof Error ? err.message : String(err) };
    }
    // Secure mode: the endpoint must prove the peer ID discovery named for it, checked on the
    // connection before a byte is sent (member-session's host-dial.ts says why not `expectPeerId`).
    if (conn.peerId !== undefined && conn.peerId !== target.peerId) {
      conn.destroy('history pull: PEER_MISMATCH');
      return { ok: false, code: 'PEER_MISMATCH', reason: `${target.address}:${target.port} proved peer ID ${conn.peerId}, expected ${target.peerId}` };
    }
    if (timedOut) {
      conn.destroy('history pull: TIMEOUT');
      return { ok: false, code: 'TIMEOUT', reason: 'dial took too long' };
    }
    return await new Promise<PullResult>((resolve) => {
      sink = new PullSink(conn, opts.historyLimit, resolve);
      conn.attach(sink);
      const clientId = conn.peerId === undefined ? opts.clientId : opts.provenClientId;
      conn.write(encodeFrame({ cmd: 'JOIN', channel: target.channel, clientId }));
    });
  } finally {
    timer.unsubscribe();
  }
}
