/**
 * The peer's embedded host: `@ims/host-service` with an in-memory history store, announced
 * through this peer's discovery, so the peer can be picked as standby and take a channel over.
 */
import type { Post } from '@ims/channel-core';
import { interfaceAddress, type Discovery } from '@ims/discovery';
import type { Logger } from '@ims/app-kit';
import { hostDiscovery, memoryHistoryStore, startHostService } from '@ims/host-service';
import type { PeerConfig } from './config.js';

/** What the node needs from its embedded host. */
export interface EmbeddedHost {
  /** Where it listens; its port is announced in SERVER_OPTION. */
  readonly endpoint: { readonly address: string; readonly port: number };
  /** Replaces the history kept for a channel this peer follows as a member (used on takeover). */
  readonly archive: (channel: string, posts: readonly Post[]) => void;
  /** Stops listening (members fail over at once) and releases the store. */
  close(): Promise<void>;
}

/** Starts the host service on loopback (or `--port`) and announces it. */
export async function startEmbeddedHost(deps: { config: PeerConfig; discovery: Discovery; logger: Logger }): Promise<EmbeddedHost> {
  const { config, discovery, logger } = deps;
  const store = memoryHistoryStore();
  const service = await startHostService({
    peerId: config.id,
    discovery: hostDiscovery(discovery),
    // Members reach a host at the source address of its PeerPDUs: listen on the multicast
    // interface's address only (loopback by default), never on every interface.
    listen: { address: interfaceAddress(config.interface), port: config.port },
    store,
    logger: logger.child({ role: 'host' }),
  });
  return {
    endpoint: service.endpoint,
    archive: (channel, posts) => service.archive(channel, posts),
    async close() {
      await service.stop();
      await store.close();
    },
  };
}
