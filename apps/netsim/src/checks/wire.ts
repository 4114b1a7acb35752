/** Wire checks on the datagrams recorded from the discovery group during a run. */
import type { CheckResult } from './delivery.js';

import { decodePdu } from '@ims/codec';

/** One recorded discovery datagram. */
export interface WireRecord {
  readonly t: number;
  readonly from: string;
  readonly bytes: Uint8Array;
}

const encoder = new TextEncoder();

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * docs/protocol.md §1: private channels are never announced, in any PDU. The raw bytes are searched,
 * so a leak is found whatever option (or garbage) carries it.
 */
export function checkNoPrivateNames(records: readonly WireRecord[], privateChannels: readonly string[]): CheckResult {
  const problems: string[] = [];
  const needles = privateChannels.map((c) => ({ c, bytes: encoder.encode(c) }));
  for (const r of records) {
    for (const n of needles) if (contains(r.bytes, n.bytes)) problems.push(`datagram from ${r.from} at ${r.t} ms names private channel ${n.c}`);
  }
  return { ok: problems.length === 0, problems: problems.slice(0, 20) };
}

/** Exactly the peers `by` announced `channel` in SERVER_CHANNELS among `records` from `since` (ms) on. */
export function checkAnnouncedBy(records: readonly WireRecord[], channel: string, by: readonly string[], since: number): CheckResult {
  const announcers = new Set<string>();
  let seen = 0;
  for (const r of records) {
    if (r.t < since) continue;
    seen += 1;
    const d = decodePdu(r.bytes);
    if (d.ok && d.value.options.some((o) => o.type === 'SERVER_CHANNELS' && o.channels.includes(channel))) announcers.add(d.value.peerId);
  }
  const problems = [
    ...(seen === 0 ? [`no datagram recorded since ${since} ms`] : []),
    ...[...announcers].filter((p) => !by.includes(p)).map((p) => `${p} still announces ${channel}`),
    ...by.filter((p) => !announcers.has(p)).map((p) => `${p} does not announce ${channel}`),
  ];
  return { ok: problems.length === 0, problems };
}
