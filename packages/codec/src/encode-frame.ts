/**
 * Frame encoder: always the strict form of docs/protocol.md §2 (u32 big-endian byte length, every
 * field NUL-terminated, the last one included), whatever dialect the peer speaks.
 */
import { MAX_ADMITTED_FIELD_BYTES, admittedFieldText } from './admitted-field.js';
import { FRAME_HEADER_BYTES, MAX_SUCCESSORS } from './constants.js';
import { CodecError } from './errors.js';
import { isValidChannelName, isValidPeerId } from './names.js';
import type { Command, ServerSayCommand } from './types.js';
import { assertField, utf8Length, writeUtf8 } from './utf8.js';

function peerIdField(id: string, what: string): string {
  if (!isValidPeerId(id)) throw new CodecError('INVALID_VALUE', `${what} is not a valid peer ID: ${JSON.stringify(id)}`);
  return id;
}

/** STANDBY's admission field (docs/protocol.md §2.8): valid IDs, at most MAX_ADMITTED_FIELD_BYTES in all (chunkAdmitted splits a list). */
function admittedField(ids: readonly string[]): string {
  for (const id of ids) peerIdField(id, 'STANDBY admitted ID');
  const field = admittedFieldText(ids);
  if (field.length > MAX_ADMITTED_FIELD_BYTES) throw new CodecError('INVALID_VALUE', `STANDBY admission field of ${field.length} bytes, over ${MAX_ADMITTED_FIELD_BYTES}: split it with chunkAdmitted`);
  return field;
}

function textField(text: string, what: string): string {
  assertField(text, what);
  return text;
}

function timeText(at: number): string {
  if (!Number.isSafeInteger(at) || at < 0) throw new CodecError('INVALID_VALUE', `SAY at must be a non-negative integer, got ${at}`);
  return String(at);
}

/** `SAY authorId text [at [nick]]` (docs/protocol.md §2.8): the nick goes only after a time. */
function serverSayFields(cmd: ServerSayCommand): string[] {
  const fields = ['SAY', peerIdField(cmd.authorId, 'SAY authorId'), textField(cmd.text, 'SAY text')];
  if (cmd.at !== undefined) fields.push(timeText(cmd.at));
  if (cmd.nick !== undefined) {
    if (cmd.at === undefined) throw new CodecError('INVALID_VALUE', 'SAY nick needs at: the nick is the field after the time');
    if (cmd.nick === '') throw new CodecError('INVALID_VALUE', 'SAY nick must not be empty');
    fields.push(textField(cmd.nick, 'SAY nick'));
  }
  return fields;
}

/** The wire fields of a command, validated; throws INVALID_VALUE on a value the wire cannot carry. */
function fieldsOf(cmd: Command): string[] {
  switch (cmd.cmd) {
    case 'JOIN': {
      if (!isValidChannelName(cmd.channel)) throw new CodecError('INVALID_VALUE', `bad channel name: ${JSON.stringify(cmd.channel)}`);
      return cmd.clientId === undefined ? ['JOIN', cmd.channel] : ['JOIN', cmd.channel, peerIdField(cmd.clientId, 'JOIN clientId')];
    }
    case 'SAY':
      if (!('authorId' in cmd)) return ['SAY', textField(cmd.text, 'SAY text')];
      return serverSayFields(cmd);
    case 'EXIT':
      return ['EXIT'];
    case 'INVITE': {
      // The draft (§2.1) demands at least one invitee.
      if (cmd.clientIds.length === 0) throw new CodecError('INVALID_VALUE', 'INVITE needs at least one clientId');
      return ['INVITE', ...cmd.clientIds.map((id) => peerIdField(id, 'INVITE clientId'))];
    }
    case 'STANDBY': {
      const successors = cmd.successors ?? [];
      if (successors.length > MAX_SUCCESSORS) throw new CodecError('INVALID_VALUE', `STANDBY carries at most ${MAX_SUCCESSORS} successors`);
      const fields = ['STANDBY', peerIdField(cmd.peerId, 'STANDBY peerId'), ...successors.map((id) => peerIdField(id, 'STANDBY successor'))];
      if (cmd.admitted !== undefined && cmd.admitted.length > 0) fields.push(admittedField(cmd.admitted));
      return fields;
    }
    case 'ERROR':
      return ['ERROR', textField(cmd.reason, 'ERROR reason')];
    default:
      throw new CodecError('INVALID_VALUE', `unknown command ${JSON.stringify((cmd as { cmd?: unknown }).cmd)}`);
  }
}

/** Encode one command as a complete frame (strict form). Throws CodecError INVALID_VALUE on bad arguments. */
export function encodeFrame(cmd: Command): Uint8Array {
  const fields = fieldsOf(cmd);
  // One pass for the length and one write into one buffer: a post is encoded once per fan-out.
  let bodyLength = 0;
  for (const f of fields) bodyLength += utf8Length(f) + 1;
  const out = new Uint8Array(FRAME_HEADER_BYTES + bodyLength);
  out[0] = bodyLength >>> 24;
  out[1] = (bodyLength >>> 16) & 0xff;
  out[2] = (bodyLength >>> 8) & 0xff;
  out[3] = bodyLength & 0xff;
  let pos = FRAME_HEADER_BYTES;
  // The NUL after each field is already there: a Uint8Array starts zeroed.
  for (const f of fields) pos = writeUtf8(f, out, pos) + 1;
  return out;
}
