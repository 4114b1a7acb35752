/**
 * The host service's way out: every byte to a connection goes through here, so it keeps its place
 * behind the turn's held echoes (turn-commit.ts), each command is encoded once however many
 * members get it, and a joiner's history replay is one buffer (history-frames.ts).
 */
import { type ServerCommand, encodeFrame } from '@ims/codec';
import type { Post } from '@ims/channel-core';
import type { Logger } from '@ims/app-kit';
import { HistoryFrames } from './history-frames.js';
import type { HostEntry as Entry } from './host-entry.js';
import type { StagedPost, TurnCommit } from './turn-commit.js';

/** Writes, broadcasts and closes on the served connections. */
export class HostOutput {
  /** Group commit of each turn's posts (set once the service made it; undefined without a store). */
  turn: TurnCommit<Entry> | undefined;
  /** Frames handed to a connection. */
  framesOut = 0;
  /** Encoded history SAYs; the service feeds it the nicks discovery announces (docs/protocol.md §2.8). */
  readonly historyFrames = new HistoryFrames();
  /**
   * A channel's member connections, resolved once per member list: the reducer hands out the same
   * array until the membership changes (channel-core `connsOf`), so a post's fan-out does no lookup
   * per member. A connection that closed meanwhile is still in the list; its write is refused.
   */
  private readonly resolved = new WeakMap<readonly string[], readonly Entry[]>();

  constructor(
    private readonly conns: ReadonlyMap<string, Entry>,
    private readonly count: (code: string) => void,
    private readonly logger: Logger,
  ) {}

  /** One command to one connection, if it is still served. */
  sendTo(conn: string, command: ServerCommand): void {
    const entry = this.conns.get(conn);
    const bytes = entry && this.encode(command);
    if (entry && bytes) this.send(entry, bytes);
  }

  /** A joiner's history: one buffer, each post encoded once for every joiner. */
  replay(conn: string, posts: readonly Post[]): void {
    const entry = this.conns.get(conn);
    if (entry === undefined) return;
    const bytes = this.historyFrames.replay(posts, (err) => this.encodeFailed('SAY', err));
    if (bytes.byteLength > 0) this.send(entry, bytes);
  }

  /** Encode once; every member's connection queues the same bytes (held with `staged` until its commit). */
  broadcast(conns: readonly string[], command: ServerCommand, staged: StagedPost<Entry> | undefined): void {
    const frame = this.encode(command);
    if (!frame) return;
    // A Buffer view once per post: a socket turns a plain Uint8Array into one on every write.
    const bytes = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    const entries = this.entriesOf(conns);
    if (this.turn) this.turn.writeAll(entries, bytes, staged);
    else for (let i = 0; i < entries.length; i++) this.write(entries[i] as Entry, bytes);
  }

  private entriesOf(conns: readonly string[]): readonly Entry[] {
    let entries = this.resolved.get(conns);
    if (entries === undefined) {
      const list: Entry[] = [];
      for (const id of conns) {
        const entry = this.conns.get(id);
        if (entry) list.push(entry);
      }
      this.resolved.set(conns, (entries = list));
    }
    return entries;
  }

  /** Every frame to a connection goes through here, so it keeps its place behind held echoes. */
  send(entry: Entry, bytes: Uint8Array, staged?: StagedPost<Entry>): void {
    if (this.turn) this.turn.write(entry, bytes, staged);
    else this.write(entry, bytes);
  }

  /** Refuses a connection outside the reducer: counted by `code`, `ERROR code: message`, then closed. */
  refuse(entry: Entry, code: string, message: string): void {
    this.count(code);
    this.sendTo(entry.conn.id, { cmd: 'ERROR', reason: `${code}: ${message}` });
    this.close(entry, code);
  }

  /** Closes after what is queued (behind the turn's held echoes). */
  close(entry: Entry, reason: string): void {
    entry.closing = true;
    if (this.turn) this.turn.close(entry, reason);
    else entry.conn.close(reason);
  }

  /** The socket write itself (the turn commit's `deliver`): `frames` frames (a run of posts' echoes is one write). */
  write(entry: Entry, bytes: Uint8Array, frames = 1): void {
    if (entry.conn.write(bytes)) this.framesOut += frames;
  }

  /**
   * Encoders throw on values the wire cannot carry. Every value here passed the decoder's checks,
   * so a throw is a validation gap between codec and core: log it loudly, drop that frame, and
   * keep serving, since network input must never bring the server down.
   */
  private encode(command: ServerCommand): Uint8Array | undefined {
    try {
      return encodeFrame(command);
    } catch (err) {
      this.encodeFailed(command.cmd, err);
      return undefined;
    }
  }

  private encodeFailed(cmd: string, err: unknown): void {
    this.count('ENCODE_ERROR');
    this.logger.error('host.encode_failed', { cmd, err });
  }
}
