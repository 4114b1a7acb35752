/** Reads the userspace switch's capture (faults/switch-main.ts `--capture`): every frame, by sending host. */
import { readFileSync } from 'node:fs';
import type { CapturedWire } from './types.js';

/** Record header: u8 port index, u32 BE frame length. */
const HEAD = 5;

/**
 * The frames in `file`, grouped by the host of their port (`ports[i]` is port i), each host's in
 * the order sent; a record the switch is still writing at the end is left out.
 */
export function readCapture(file: string, ports: readonly string[]): CapturedWire {
  const buf = readFileSync(file);
  const parts = new Map<string, Buffer[]>();
  let frames = 0;
  let pos = 0;
  while (pos + HEAD <= buf.length) {
    const len = buf.readUInt32BE(pos + 1);
    if (pos + HEAD + len > buf.length) break;
    const host = ports[buf.readUInt8(pos)] ?? `port ${buf.readUInt8(pos)}`;
    const list = parts.get(host) ?? [];
    list.push(buf.subarray(pos + HEAD, pos + HEAD + len));
    parts.set(host, list);
    frames += 1;
    pos += HEAD + len;
  }
  return { frames, bytes: pos, from: new Map([...parts].map(([h, list]) => [h, Buffer.concat(list)])) };
}
