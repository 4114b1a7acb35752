/**
 * The connection half of the transport seam: one framed, bidirectional byte stream. TCP and the
 * in-memory network implement it with the same contract (test/describe-transport.ts).
 */
import type { Decoded } from '@ims/codec';
import type { Logger } from '@ims/app-kit';
import type { TransportErrorCode } from './transport-error.js';

/** The part of `@ims/codec`'s FrameDecoder a connection needs. */
export interface FrameDecoderLike<T> {
  /** Feeds the next chunk; returns every frame it completed, in order. */
  push(chunk: Uint8Array): readonly Decoded<T>[];
  /** Bytes held for an incomplete frame (slowloris detection). */
  readonly bufferedBytes: number;
}

/** Options shared by accepted and dialled connections. */
export interface ConnectionOptions<T> {
  /** Creates this connection's frame decoder, e.g. `() => serverSideDecoder({ maxFrameBytes })`. */
  readonly decoder: () => FrameDecoderLike<T>;
  /** Bytes waiting to be sent (our queue plus what the network holds unread) above which the peer is dropped as a slow reader. @default 1_048_576 */
  readonly maxSendQueueBytes?: number;
  /** ms the first frame, or any started frame, may stay incomplete before the connection is closed (slowloris); 0 disables. @default 30_000 */
  readonly idleTimeoutMs?: number;
  /** ms a graceful close waits for queued bytes to reach the peer before destroying the connection. @default 2_000 */
  readonly closeTimeoutMs?: number;
  /** Logger for connection-level events. @default none */
  readonly logger?: Logger;
  /** Called once the connection is gone, before its sink; one function can serve every connection (no closure each). @default none */
  readonly onClosed?: (conn: Connection<T>) => void;
}

/** Why and how a connection ended. */
export interface CloseInfo {
  /** Human-readable reason (ours, or what the peer/socket did). */
  readonly reason: string;
  /** Set when the transport itself ended the connection (slow reader, idle) or a socket error did. */
  readonly code?: TransportErrorCode;
  /** True when the peer closed or reset the connection. */
  readonly byPeer: boolean;
}

/** Receiver of one connection's frames and close, as an object: a server's per-connection record can be it, with no closures. */
export interface ConnectionSink<T> {
  /** A decoded frame (or a decode failure as a value), in order. */
  frame(frame: Decoded<T>): void;
  /** The connection is gone; called once, after the last frame. */
  closed(info: CloseInfo): void;
}

/**
 * A framed connection. Frames and the close reach the owner one way only, through the sink given
 * to `attach`: a server holds thousands of idle connections, so there are no rx objects or
 * closures per connection (figures in tcp-connection.ts and the README "Memory" section).
 */
export interface Connection<T> {
  /** Opaque id, unique within its transport (`c1`, `c2`...). */
  readonly id: string;
  /** Peer address as seen by this end (plain IPv4 form for IPv4 peers). */
  readonly remoteAddress: string;
  /** Peer port as seen by this end. */
  readonly remotePort: number;
  /** The remote's proven peer ID in secure mode (from its verified TLS certificate); undefined in plain mode. */
  readonly peerId?: string;
  /** Starts reading and delivers every frame, then the close, to `sink`. On a closed connection calls `sink.closed` at once. A second attach throws (a wiring bug). */
  attach(sink: ConnectionSink<T>): void;
  /** True once close/destroy was called or the connection ended. */
  readonly isClosing: boolean;
  /** Bytes queued by us and not yet handed to the network. */
  readonly queuedBytes: number;
  /** Queues bytes for the end-of-turn flush. False if the connection is closing or was just dropped as a slow reader. */
  write(bytes: Uint8Array): boolean;
  /**
   * Stops delivering frames and reading (the peer's bytes back up in the network: TCP flow
   * control). Called from inside `sink.frame`, that frame is held too. Idempotent; a no-op once closing.
   */
  pause(): void;
  /** Delivers the held frames in order (in a later action on the memory network), then reads again. Idempotent. */
  resume(): void;
  /** Graceful close: queued bytes (e.g. an ERROR frame) go out first, then the FIN. Idempotent. */
  close(reason: string): void;
  /** Immediate close, dropping anything queued. Idempotent. */
  destroy(reason: string, code?: TransportErrorCode): void;
}
