/**
 * The peer's inbox of invitations delivered the Java way (docs/protocol.md §3.8): a TCP listener on
 * the discovery port, at the address we announce from, whose PDUs naming us join the lobby's
 * invitations. Only one process per machine can hold that port: a peer that cannot is still
 * reached by multicast SERVER_INVITE, so a failed bind is logged, not fatal.
 */
import { secureMode } from '@ims/secure';
import { Subject, type Observable } from 'rxjs';
import type { Logger } from '@ims/app-kit';
import { createDirectInvites, DiscoveryError, interfaceAddress, listenForInvites, readDirectInvite, type Discovery, type InviteListener, type Lobby } from '@ims/discovery';
import type { PeerConfig } from './config.js';

/** Delivered invitations, to merge into the lobby snapshots. */
export interface InviteInbox {
  /** Emits after each invitation not listed before. Completes on close. */
  readonly changed$: Observable<void>;
  /** `lobby` with the delivered invitations still listed added (one also multicast is listed once). */
  withInvites(lobby: Lobby): Lobby;
  /** Stops listening. Idempotent. */
  close(): Promise<void>;
}

/** What {@link openInviteInbox} needs. */
export interface InviteInboxDeps {
  readonly config: PeerConfig;
  readonly discovery: Discovery;
  readonly logger: Logger;
  /** Time of `receivedAt` and of the expiry, in ms. */
  readonly clock: () => number;
}

/** Listens on TCP `--discovery-port` at the `--interface` address; without the port (taken) the inbox stays empty. */
export async function openInviteInbox(deps: InviteInboxDeps): Promise<InviteInbox> {
  const { config, discovery, logger, clock } = deps;
  // As for multicast invitations: listed until 30 intervals after the last one arrived.
  const book = createDirectInvites({ ttlMs: 30 * config.announceIntervalMs });
  // Secure mode: invitations are sealed; their own replay state (a host seals them in the sequence
  // of its announcements, which discovery has already opened further along).
  const s = config.secure;
  const secure = s === undefined ? {} : { secure: secureMode({ identity: s.identity, keys: s.keys, policy: s.policy }) };
  const changed = new Subject<void>();
  let listener: InviteListener | undefined;
  try {
    listener = await listenForInvites({ address: interfaceAddress(config.interface), port: config.discoveryPort });
  } catch (err) {
    if (!(err instanceof DiscoveryError)) throw err;
    logger.info('invites.no_listener', { reason: err.message });
  }
  listener?.pdus$.subscribe((d) => {
    const r = readDirectInvite(d, discovery.snapshot(), { selfId: config.id, now: clock(), ...secure });
    if (!r.ok) {
      logger.debug('invites.dropped', { from: `${d.from.address}:${d.from.port}`, reason: r.reason, ...(r.detail !== undefined ? { code: r.detail } : {}) });
      return;
    }
    const fresh = book.add(r.invitations);
    for (const i of fresh) logger.debug('invites.received', { channel: i.channel, server: i.serverId, endpoint: `${i.endpoint.address}:${i.endpoint.port}` });
    if (fresh.length > 0) changed.next();
  });
  return {
    changed$: changed.asObservable(),
    withInvites(lobby) {
      const listed = new Set(lobby.invitations.map((i) => `${i.serverId}\u0000${i.channel}`));
      const direct = book.current(clock()).filter((i) => !listed.has(`${i.serverId}\u0000${i.channel}`));
      if (direct.length === 0) return lobby;
      return { ...lobby, invitations: [...lobby.invitations, ...direct].sort((a, b) => a.receivedAt - b.receivedAt) };
    },
    async close() {
      changed.complete();
      await listener?.close();
    },
  };
}
