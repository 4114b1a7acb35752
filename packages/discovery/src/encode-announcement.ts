/**
 * Encode the local peer's announcement: build the PDU (private channels already filtered), split
 * it with the codec to the datagram limit, encode each piece. No single entry can silence the
 * announcement (docs/protocol.md §3.6): one that fits in no datagram is left out, counted, logged.
 */
import { CodecError, encodePdu, splitPdu, type LeftOutEntry } from '@ims/codec';
import { ownPdu, type OwnState } from './own-state.js';
import type { DiscoveryLog, MutableStats } from './stats.js';

/** Encodes announcements of one discovery service; remembers what it left out, to count and log it once. */
export type AnnouncementEncoder = (state: OwnState) => Uint8Array[];

/**
 * An encoder: `stats.entriesLeftOut` counts each entry when it starts being left out, with one
 * `entryLeftOut` warning; an entry left out again in the next announcements is not counted again.
 */
export function createAnnouncementEncoder(peerId: string, maxDatagramBytes: number, stats: MutableStats, log: DiscoveryLog): AnnouncementEncoder {
  let reported = new Set<string>();
  return (state) => {
    const now = new Set<string>();
    const onLeftOut = (e: LeftOutEntry): void => {
      const key = `${e.option} ${e.value}`;
      if (now.has(key)) return;
      now.add(key);
      if (reported.has(key)) return;
      stats.entriesLeftOut += 1;
      log({ level: 'warn', event: 'entryLeftOut', reason: `${e.option} entry ${JSON.stringify(e.value.slice(0, 64))} needs ${e.bytes} bytes, over the ${maxDatagramBytes}-byte datagram: not announced` });
    };
    try {
      const datagrams = splitPdu(ownPdu(peerId, state), { maxDatagramBytes, onLeftOut }).map((p) => encodePdu(p));
      reported = now;
      return datagrams;
    } catch (error) {
      // A name the codec refuses (e.g. a nick too long for a datagram) is the caller's bad value;
      // keep discovery listening and report it instead of killing the announcer.
      if (!(error instanceof CodecError)) throw error;
      stats.encodeErrors += 1;
      log({ level: 'warn', event: 'encodeFailed', code: error.code, reason: error.message });
      return [];
    }
  };
}
