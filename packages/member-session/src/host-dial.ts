/**
 * A member's dial to a host, a standby, a successor or a failover candidate (docs/protocol.md §5.5),
 * and how its failure counts. In secure mode every dial must reach the peer ID that discovery,
 * STANDBY or the lobby gave for that endpoint: an endpoint answered by another identity (a forged
 * PDU, a hijacked address) fails with PEER_MISMATCH before any frame is sent. The proven ID is
 * checked here, on the dialled connection (`Connection.peerId`), rather than with
 * `DialOptions.expectPeerId`: the memory transport refuses `expectPeerId` on a plain view too,
 * which would fail every plain dial; over TLS both checks happen at the same point, after the
 * handshake and before the first byte.
 */
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, type ServerCommand } from '@ims/codec';
import type { MemberTarget } from '@ims/channel-core';
import type { Logger } from '@ims/app-kit';
import { TransportError, type Connection, type Transport } from '@ims/transport';

/** What a dial needs from the session's options. */
export interface HostDialOptions {
  readonly transport: Transport;
  readonly connectTimeoutMs: number;
  readonly maxFrameBytes: number | undefined;
  readonly log: Logger | undefined;
  /** The peer ID to expect at `target`, undefined to accept any proven network member (an explicit `host:port`). */
  readonly expectPeerId: string | undefined;
  /** False once the session moved on from this dial: its failure is not logged. */
  readonly current: () => boolean;
}

/** A failed dial: its code and whether it counts as refused (no retry on that target, the next one). */
export interface DialFailure {
  readonly code: string;
  readonly refused: boolean;
}

/** Dials `target`; a failure is logged (a PEER_MISMATCH at warn, with both IDs) and resolved as a {@link DialFailure}. */
export async function dialHost(target: MemberTarget, o: HostDialOptions): Promise<Connection<ServerCommand> | DialFailure> {
  const endpoint = `${target.address}:${target.port}`;
  let conn: Connection<ServerCommand>;
  try {
    conn = await o.transport.dial<ServerCommand>({
      host: target.address,
      port: target.port,
      connectTimeoutMs: o.connectTimeoutMs,
      decoder: () => new FrameDecoder<ServerCommand>({ direction: 'toClient', maxFrameBytes: o.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES }),
      // A member waits for posts as long as it likes: no idle timeout on the client side.
      idleTimeoutMs: 0,
      ...(o.log ? { logger: o.log } : {}),
    });
  } catch (err: unknown) {
    const code = err instanceof TransportError ? err.code : 'CONNECT_FAILED';
    if (code === 'PEER_MISMATCH') return mismatch(target, o, endpoint, undefined, (err as Error).message);
    if (o.current()) o.log?.info('member.connect_failed', { peer: target.peerId, endpoint, code });
    // docs/protocol.md §5 fast path: "refused" means the host process is gone, not just slow.
    return { code, refused: code === 'CONNECTION_REFUSED' };
  }
  const proven = conn.peerId;
  if (o.expectPeerId === undefined || proven === undefined || proven === o.expectPeerId) return conn;
  conn.destroy('peer mismatch');
  return mismatch(target, o, endpoint, proven, `${endpoint} proved peer ID ${proven}, expected ${o.expectPeerId}`);
}

/** Another identity answers at the endpoint: this target failed (§5.5), and dialling it again cannot help. */
function mismatch(target: MemberTarget, o: HostDialOptions, endpoint: string, proven: string | undefined, message: string): DialFailure {
  if (o.current()) o.log?.warn('member.peer_mismatch', { peer: target.peerId, expected: o.expectPeerId, proven, endpoint, message });
  return { code: 'PEER_MISMATCH', refused: true };
}

/** True when `x` is a failure rather than a connection. */
export function isDialFailure(x: Connection<ServerCommand> | DialFailure): x is DialFailure {
  return 'refused' in x;
}
