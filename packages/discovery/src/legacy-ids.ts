/**
 * Peer IDs for servers that announce none (docs/protocol.md §3.7, §7.6): the draft authors' Java
 * server takes its ID from a network card's MAC address and, on a machine without one, announces an
 * empty peer ID. Such a PDU is taken from a server only, and the server is named by its endpoint:
 * `address:port` of its SERVER_OPTION (`[address]:port` for IPv6). Its PDUs without SERVER_OPTION
 * (the Java server's garbage after the peer ID) are its own when they come from the UDP source
 * address and port its last PDU with SERVER_OPTION came from. A client (CLIENT_NICK or
 * CLIENT_MEMBERSHIP) with an empty ID cannot be told apart: its PDUs are dropped. Bounded, O(1).
 */
import type { PeerPdu } from '@ims/codec';
import type { Address } from './datagram-port.js';

/** Names the senders of empty-ID PDUs. */
export interface LegacyIds {
  /** The peer ID to file a PDU with an empty peer ID under, or `undefined` when it cannot be named (drop it). */
  resolve(pdu: PeerPdu, from: Address): string | undefined;
  /** The ID last filed for this UDP source, before decoding: its datagrams are charged to that peer (docs/protocol.md §3.4). */
  known(from: Address): string | undefined;
}

/** The ID of a server without one: its endpoint, as visible ASCII. */
export function endpointId(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** A fresh resolver remembering at most `maxSources` UDP sources (the oldest forgotten first). */
export function createLegacyIds(maxSources: number): LegacyIds {
  const bySource = new Map<string, string>();
  const keyOf = (from: Address): string => `${from.address}\u0000${from.port}`;
  return {
    known: (from) => bySource.get(keyOf(from)),
    resolve(pdu, from) {
      const key = keyOf(from);
      let port: number | undefined;
      for (const o of pdu.options) {
        if (o.type === 'SERVER_OPTION') port = o.port;
        else if (o.type === 'CLIENT_NICK' || o.type === 'CLIENT_MEMBERSHIP') return undefined;
      }
      if (port === undefined) return bySource.get(key);
      const id = endpointId(from.address, port);
      // Re-insert: Map order is least recently heard first, so the bound drops the stalest source.
      bySource.delete(key);
      bySource.set(key, id);
      if (bySource.size > maxSources) bySource.delete(bySource.keys().next().value as string);
      return id;
    },
  };
}
