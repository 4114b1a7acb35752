/**
 * Invitations to private channels, delivered by TCP to each invitee (docs/protocol.md §3.8, §8).
 * A private name is never multicast, so an ims host tells an invitee the way the Java server tells
 * all of its invitees: a TCP connection to the invitee's address on the discovery port carrying one
 * PeerPDU (SERVER_OPTION with the host's port, SERVER_INVITE naming only that invitee), then FIN.
 * Only the invitee's machine sees it. Bounded for the whole host (a token bucket), each connection
 * by a deadline; a refused or failed delivery is counted and logged at debug, never thrown: the
 * invitee is admitted anyway and can still be told the `/join` line by hand. In secure mode the PDU
 * is sealed like a multicast one (docs/protocol.md §3.4), so only the invitee's key-holding
 * listener reads it, and knows it is ours.
 */
import { connect, type Socket } from 'node:net';
import { DISCOVERY_PORT, encodePdu } from '@ims/codec';
import type { SecureMode } from '@ims/secure';
import { DiscoveryError } from './errors.js';
import type { DiscoveryLog } from './stats.js';

/** Options of {@link createDirectInviteSender}. */
export interface DirectInviteSenderOptions {
  /** The host's peer ID (the PDU's peer ID); in secure mode the identity's. */
  readonly peerId: string;
  /** Secure mode: each PDU is sealed with `secure.sealer` (the SecureMode discovery seals with). @default plain mode */
  readonly secure?: SecureMode;
  /** TCP port invitees listen on: the discovery port. @default 55555 */
  readonly port?: number;
  /** Address to connect from: the `--interface` address, so the invitee sees the host's announced address. @default the system's choice */
  readonly localAddress?: string;
  /** Deliveries per second for the whole host, also the burst; more are dropped and counted. @default 20 */
  readonly perSecond?: number;
  /** ms from connect to close at most. @default 2000 */
  readonly timeoutMs?: number;
  /** Clock of the budget, in ms. @default Date.now */
  readonly now?: () => number;
  /** Where failures are logged (debug: an invitee without a listener is normal). @default none */
  readonly log?: DiscoveryLog;
  /** Opens the connection (tests). @default node:net connect */
  readonly connect?: (options: { host: string; port: number; localAddress?: string }) => Socket;
}

/** One invitation to deliver. */
export interface DirectInvitation {
  /** The channel (private or public). */
  readonly channel: string;
  /** The host's TCP port, where the invitee JOINs. */
  readonly serverPort: number;
  /** Who, and where their PeerPDUs come from. */
  readonly invitees: readonly { readonly id: string; readonly address: string }[];
}

/** Counters of the sender. */
export interface DirectInviteStats {
  /** Deliveries started. */
  readonly sent: number;
  /** Deliveries over the budget, not attempted. */
  readonly dropped: number;
  /** Deliveries whose connection failed (nobody listening, timeout). */
  readonly failed: number;
}

/** Delivers private invitations by TCP. */
export interface DirectInviteSender {
  /** Starts one delivery per invitee, as far as the budget allows. */
  send(invitation: DirectInvitation): void;
  stats(): DirectInviteStats;
  /** Ends deliveries still open. Idempotent. */
  close(): void;
}

/** A sender for `options.peerId`; see the file comment. Throws DiscoveryError('INVALID_OPTION') when secure mode's identity is another peer's. */
export function createDirectInviteSender(options: DirectInviteSenderOptions): DirectInviteSender {
  const secure = options.secure;
  // The invitee takes a sealed PDU only when it names its signer.
  if (secure !== undefined && secure.identity.peerId !== options.peerId) {
    throw new DiscoveryError('INVALID_OPTION', `in secure mode the peer ID is the identity's (${secure.identity.peerId}), not ${options.peerId}`);
  }
  const port = options.port ?? DISCOVERY_PORT;
  const perSecond = Math.max(1, options.perSecond ?? 20);
  const timeoutMs = options.timeoutMs ?? 2_000;
  const now = options.now ?? Date.now;
  const open = options.connect ?? ((o) => connect(o));
  const sockets = new Set<Socket>();
  const stats = { sent: 0, dropped: 0, failed: 0 };
  let tokens = perSecond;
  let refilledAt = now();
  let closed = false;

  const take = (): boolean => {
    const t = now();
    tokens = Math.min(perSecond, tokens + ((t - refilledAt) / 1000) * perSecond);
    refilledAt = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  const deliver = (address: string, pdu: Uint8Array): void => {
    stats.sent += 1;
    const socket = open({ host: address, port, ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}) });
    sockets.add(socket);
    const timer = setTimeout(() => socket.destroy(new Error(`no close within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    socket.once('connect', () => socket.end(pdu));
    // The invitee reads to our FIN and then closes: data it might send is not for us.
    socket.on('data', () => undefined);
    socket.once('error', (err: NodeJS.ErrnoException) => {
      stats.failed += 1;
      options.log?.({ level: 'debug', event: 'directInviteFailed', reason: err.code ?? err.message, from: { address, port } });
    });
    socket.once('close', () => {
      clearTimeout(timer);
      sockets.delete(socket);
    });
  };

  return {
    send(invitation) {
      if (closed) return;
      for (const { id, address } of invitation.invitees) {
        if (!take()) {
          stats.dropped += 1;
          options.log?.({ level: 'warn', event: 'directInviteDropped', reason: `over ${perSecond} invitations a second`, peerId: id });
          continue;
        }
        let pdu: Uint8Array;
        try {
          pdu = encodePdu(
            { peerId: options.peerId, options: [{ type: 'SERVER_OPTION', port: invitation.serverPort }, { type: 'SERVER_INVITE', channel: invitation.channel, clientIds: [id] }] },
            { privateInvites: true },
          );
          if (secure !== undefined) pdu = secure.sealer.seal(pdu);
        } catch (err) {
          // Every value came through the frame decoder's checks: a throw is a validation gap, not input.
          stats.failed += 1;
          options.log?.({ level: 'warn', event: 'directInviteFailed', reason: String(err), peerId: id });
          continue;
        }
        deliver(address, pdu);
      }
    },
    stats: () => ({ ...stats }),
    close() {
      closed = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
  };
}
