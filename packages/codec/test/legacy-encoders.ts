/**
 * Test-only encoders that write what the old implementations write (docs/protocol.md §7), written
 * independently of the codec's encoder so legacy decoding is checked against a second opinion.
 */
import type { Command } from '../src/index.js';

/** The wire fields of a command, as strings. */
export function fieldsOf(cmd: Command): string[] {
  switch (cmd.cmd) {
    case 'JOIN': return cmd.clientId === undefined ? ['JOIN', cmd.channel] : ['JOIN', cmd.channel, cmd.clientId];
    case 'SAY':
      if (!('authorId' in cmd)) return ['SAY', cmd.text];
      // The extra fields of docs/protocol.md §2.8: time, then nick.
      return ['SAY', cmd.authorId, cmd.text, ...(cmd.at !== undefined ? [String(cmd.at)] : []), ...(cmd.nick !== undefined ? [cmd.nick] : [])];
    case 'EXIT': return ['EXIT'];
    case 'INVITE': return ['INVITE', ...cmd.clientIds];
    case 'STANDBY': return ['STANDBY', cmd.peerId];
    case 'ERROR': return ['ERROR', cmd.reason];
  }
}

/** Java: fields joined by NUL (no final NUL), length = UTF-16 code units, big-endian. */
export function javaFrame(cmd: Command): Uint8Array {
  const s = fieldsOf(cmd).join('\0');
  const bytes = new TextEncoder().encode(s);
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, s.length, false);
  out.set(bytes, 4);
  return out;
}

/** Older Python: strict body, length little-endian. */
export function pythonFrame(cmd: Command): Uint8Array {
  const bytes = new TextEncoder().encode(fieldsOf(cmd).map((f) => `${f}\0`).join(''));
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length, true);
  out.set(bytes, 4);
  return out;
}
