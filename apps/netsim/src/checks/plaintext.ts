/**
 * Sniffing (docs/security.md, "Nothing readable"): the capture of every frame on the wire (the
 * userspace switch's) must hold none of the run's known plaintext: the posts netsim typed, the
 * channel names, the nicks and the secure peers' IDs. The hostile peers' own frames are left out (what an attacker sends
 * is no leak). Strings shorter than MIN_NEEDLE_BYTES are not searched: in megabytes of ciphertext a
 * short string turns up by chance, so a scenario that means them to be checked gives longer ones.
 */
import type { CapturedWire } from '../backend/types.js';
import type { CheckResult } from './delivery.js';
import type { SimEvent } from './log.js';

/** Shortest string searched. @default 6 (a chance match in 100 MB of random bytes: about 1 in 28,000) */
export const MIN_NEEDLE_BYTES = 6;
/** Hits listed per check; the rest are counted. */
const MAX_LISTED = 20;

/**
 * What an eavesdropper must not read: typed posts, channel names and nicks, and in secure mode the
 * peer IDs (the run's `secure` event lists them: who talks is sealed too), each once.
 */
export function knownPlaintext(events: readonly SimEvent[], clients: readonly { readonly channel: string; readonly nick: string }[]): string[] {
  const posts = events.filter((e) => e.source === 'netsim' && e.event === 'post' && typeof e.data['text'] === 'string').map((e) => e.data['text'] as string);
  const ids = events.filter((e) => e.source === 'netsim' && e.event === 'secure').flatMap((e) => Object.values((e.data['ids'] ?? {}) as Record<string, string>));
  return [...new Set([...clients.map((c) => c.channel), ...clients.map((c) => c.nick), ...posts, ...ids])];
}

/** No needle in any frame a non-hostile host sent; a problem per needle found, naming who sent it. */
export function checkNoPlaintext(capture: CapturedWire | undefined, needles: readonly string[], hostile: readonly string[]): CheckResult & { checked: number; frames?: number } {
  if (capture === undefined) return { ok: false, checked: 0, problems: ['no capture of the wire (noPlaintext needs the netns backend with the userspace switch)'] };
  if (capture.frames === 0) return { ok: false, checked: 0, problems: ['the capture holds no frame'] };
  const searched = needles.filter((n) => Buffer.byteLength(n) >= MIN_NEEDLE_BYTES);
  if (searched.length === 0) return { ok: false, checked: 0, problems: [`no known string of ${MIN_NEEDLE_BYTES} bytes or more to search for`] };
  const problems: string[] = [];
  for (const n of searched) {
    const senders = [...capture.from].filter(([host, bytes]) => !hostile.includes(host) && bytes.includes(n, 0, 'utf8')).map(([host]) => host);
    if (senders.length > 0) problems.push(`${JSON.stringify(n)} in clear, sent by ${senders.join(', ')}`);
  }
  const more = problems.length > MAX_LISTED ? [`… and ${problems.length - MAX_LISTED} more`] : [];
  return { ok: problems.length === 0, checked: searched.length, frames: capture.frames, problems: [...problems.slice(0, MAX_LISTED), ...more] };
}
