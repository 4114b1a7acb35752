/**
 * Baselines for the codec benchmark: the least work that still turns the bytes into strings.
 * No validation, no typed values, no errors; frames split only on the length prefix and NULs.
 * The codec is judged against these in the same run (target: decode at ≥ 50 % of the baseline).
 */

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Split length-prefixed frames out of chunks and turn every field into a string; returns the frame count. */
export function baselineDecode(chunks: readonly Uint8Array[]): number {
  let pending: Uint8Array = new Uint8Array(0);
  let frames = 0;
  for (const chunk of chunks) {
    let buf: Uint8Array = chunk;
    if (pending.length > 0) {
      buf = new Uint8Array(pending.length + chunk.length);
      buf.set(pending);
      buf.set(chunk, pending.length);
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let pos = 0;
    while (buf.length - pos >= 4) {
      const len = view.getUint32(pos);
      if (buf.length - pos - 4 < len) break;
      const end = pos + 4 + len;
      const fields: string[] = [];
      let start = pos + 4;
      while (start < end) {
        let nul = buf.indexOf(0, start);
        if (nul === -1 || nul > end) nul = end;
        fields.push(decoder.decode(buf.subarray(start, nul)));
        start = nul + 1;
      }
      if (fields.length > 0) frames++;
      pos = end;
    }
    pending = buf.subarray(pos);
  }
  return frames;
}

/** Encode fields as one frame: u32 length, each field and its NUL. */
export function baselineEncode(fields: readonly string[]): Uint8Array {
  const parts = fields.map((f) => encoder.encode(f));
  const len = parts.reduce((a, p) => a + p.length + 1, 0);
  const out = new Uint8Array(4 + len);
  new DataView(out.buffer).setUint32(0, len);
  let pos = 4;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length + 1;
  }
  return out;
}

/** Parse a PeerPDU into strings and numbers with no checks at all; returns the number of strings read. */
export function baselineDecodePdu(d: Uint8Array): number {
  let pos = 0;
  let strings = 0;
  const str = (): string => {
    let nul = d.indexOf(0, pos);
    if (nul === -1) nul = d.length;
    const s = decoder.decode(d.subarray(pos, nul));
    pos = nul + 1;
    strings++;
    return s;
  };
  str();
  while (pos < d.length) {
    const id = d[pos++];
    if (id === 0x01) str();
    else if (id === 0x10) pos += 2;
    else if (id === 0x11) for (let n = d[pos++] ?? 0; n > 0; n--) str();
    else if (id === 0x12) {
      str();
      for (let n = d[pos++] ?? 0; n > 0; n--) str();
    } else if (id === 0x02) {
      for (let s = d[pos++] ?? 0; s > 0; s--) {
        str();
        for (let n = d[pos++] ?? 0; n > 0; n--) str();
      }
    } else break;
  }
  return strings;
}
