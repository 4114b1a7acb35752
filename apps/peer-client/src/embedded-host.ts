/**
 * The peer's embedded host: `@ims/host-service` with an in-memory history store, announced
 * through this peer's discovery, so the peer can be picked as standby and take a channel over.
 */
import type { LobbyHost, Post } from '@ims/channel-core';
import type { Observable } from 'rxjs';
import { createDirectInviteSender, interfaceAddress, type Discovery } from '@ims/discovery';
import type { Logger } from '@ims/app-kit';
import { hostDiscovery, memoryHistoryStore, startHostService, tapOwnHost } from '@ims/host-service';
import { dialingFrom, secureTcpTransport, tcpTransport } from '@ims/transport';
import type { PeerConfig } from './config.js';
import type { HostedChannel } from './direct-message.js';

/** What the node needs from its embedded host. */
export interface EmbeddedHost {
  /** Where it listens; its port is announced in SERVER_OPTION. */
  readonly endpoint: { readonly address: string; readonly port: number };
  /** This host as a lobby entry (discovery never lists its own peer): member sessions follow a heal it wins. */
  readonly own$: Observable<LobbyHost | undefined>;
  /**
   * Replaces the history kept for a channel this peer follows as a member (used on takeover), and
   * adds the private channel's admission list its host sent us (docs/protocol.md §2.8, §8).
   */
  readonly archive: (channel: string, posts: readonly Post[], admitted?: ReadonlySet<string>) => void;
  /** The live channels it hosts (name, private, members, history length): the inbox of direct messages reads them. */
  readonly channels: () => readonly HostedChannel[];
  /** Stops listening (members fail over at once) and releases the store. */
  close(): Promise<void>;
}

/** Starts the host service on loopback (or `--port`) and announces it. */
export async function startEmbeddedHost(deps: { config: PeerConfig; discovery: Discovery; logger: Logger }): Promise<EmbeddedHost> {
  const { config, discovery, logger } = deps;
  const store = memoryHistoryStore();
  // Members reach a host at the source address of its PeerPDUs: listen on the multicast
  // interface's address only (loopback by default), never on every interface.
  const address = interfaceAddress(config.interface);
  const tap = tapOwnHost(discovery, { id: config.id, address });
  const invites = createDirectInviteSender({
    peerId: config.id,
    port: config.discoveryPort,
    localAddress: address,
    ...(config.secure ? { secure: config.secure } : {}),
    log: (e) => logger.log(e.level, `invite.${e.event}`, { reason: e.reason, to: e.from, peerId: e.peerId }),
  });
  const service = await startHostService({
    peerId: config.id,
    // A private channel's invitees are told by TCP at their discovery port (docs/protocol.md §3.8).
    discovery: hostDiscovery(tap.discovery, { privateInvites: invites }),
    listen: { address, port: config.port },
    // Its history pulls (docs/protocol.md §5.8) dial from that address too, as our members do (§3.1).
    // Secure mode: TLS 1.3 both ways, members proven by their certificates (docs/security.md).
    transport: dialingFrom(config.secure ? secureTcpTransport(config.secure) : tcpTransport, address),
    store,
    logger: logger.child({ role: 'host' }),
  });
  return {
    endpoint: service.endpoint,
    own$: tap.own$,
    archive: (channel, posts, admitted) => service.archive(channel, posts, admitted),
    channels: () => service.snapshot().channels,
    async close() {
      await service.stop();
      invites.close();
      await store.close();
    },
  };
}
