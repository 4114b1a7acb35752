/**
 * Encode the local peer's announcement: build the PDU (private channels already filtered), split
 * it with the codec to the datagram limit, encode each piece.
 */
import { CodecError, encodePdus } from '@ims/codec';
import { ownPdu, type OwnState } from './own-state.js';
import type { DiscoveryLog, MutableStats } from './stats.js';

/** The datagrams of one announcement; none if the codec refuses the state (counted, logged). */
export function encodeAnnouncement(peerId: string, state: OwnState, maxDatagramBytes: number, stats: MutableStats, log: DiscoveryLog): Uint8Array[] {
  try {
    return encodePdus(ownPdu(peerId, state), { maxDatagramBytes });
  } catch (error) {
    // A name the codec refuses (e.g. a nick too long for a datagram) is the caller's bad value;
    // keep discovery listening and report it instead of killing the announcer.
    if (!(error instanceof CodecError)) throw error;
    stats.encodeErrors += 1;
    log({ level: 'warn', event: 'encodeFailed', code: error.code, reason: error.message });
    return [];
  }
}
