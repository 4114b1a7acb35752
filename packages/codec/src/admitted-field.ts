/**
 * STANDBY's admission field (docs/protocol.md §2.8, §8): the peer IDs admitted to a private channel,
 * sent by its host to the members that may take it over. One field: the marker `ADMIT`, a space,
 * then the IDs separated by single spaces. Peer IDs are visible ASCII (no space), so the field is
 * never a valid peer ID: an ims receiver, older ones included, cannot read it as a successor, and a
 * plain peer ignores it as an extra field.
 */
import { isValidPeerId } from './names.js';
import { decodeName } from './utf8.js';

/** The field's first bytes: `ADMIT` and one space (hex 41 44 4d 49 54 20). */
export const ADMITTED_MARKER = 'ADMIT ';

/**
 * Longest admission field ims sends, in bytes (the marker included): a quarter of the default
 * frame limit, so a frame with it, the standby and 8 successors fits any sane receiver limit.
 */
export const MAX_ADMITTED_FIELD_BYTES = 16_384;

const SPACE = 0x20;
const MARKER_BYTES = Array.from(ADMITTED_MARKER, (c) => c.charCodeAt(0));

/** The admitted IDs split into groups whose field fits `maxFieldBytes`, in order; `leftOut`: IDs too long for any field (or invalid). */
export function chunkAdmitted(ids: readonly string[], maxFieldBytes = MAX_ADMITTED_FIELD_BYTES): { readonly chunks: string[][]; readonly leftOut: string[] } {
  const chunks: string[][] = [];
  const leftOut: string[] = [];
  let chunk: string[] = [];
  let size = ADMITTED_MARKER.length - 1;
  for (const id of ids) {
    if (!isValidPeerId(id) || ADMITTED_MARKER.length + id.length > maxFieldBytes) {
      leftOut.push(id);
      continue;
    }
    if (size + 1 + id.length > maxFieldBytes) {
      chunks.push(chunk);
      chunk = [];
      size = ADMITTED_MARKER.length - 1;
    }
    chunk.push(id);
    size += 1 + id.length;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return { chunks, leftOut };
}

/** The field text for `ids` (at least one, each a valid peer ID: the encoder checks). */
export function admittedFieldText(ids: readonly string[]): string {
  return ADMITTED_MARKER + ids.join(' ');
}

/** Whether body[start, end) is an admission field (starts with the marker). */
export function isAdmittedField(body: Uint8Array, start: number, end: number): boolean {
  if (end - start < MARKER_BYTES.length) return false;
  for (let k = 0; k < MARKER_BYTES.length; k++) if (body[start + k] !== MARKER_BYTES[k]) return false;
  return true;
}

/**
 * Adds the IDs of the admission field body[start, end) to `out` (skipping `seen` ones). Empty and
 * invalid entries are another implementation's data: skipped, not an error.
 */
export function readAdmittedField(body: Uint8Array, start: number, end: number, out: string[], seen: Set<string>): void {
  let s = start + MARKER_BYTES.length;
  while (s <= end) {
    let e = s;
    while (e < end && body[e] !== SPACE) e++;
    if (e > s) {
      const id = decodeName(body, s, e);
      if (id !== undefined && !seen.has(id)) {
        seen.add(id);
        out.push(id);
      }
    }
    s = e + 1;
  }
}
