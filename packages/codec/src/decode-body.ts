/**
 * Body decoder: turns one frame body (without its length prefix) into a typed command.
 * Never throws on network input; every failure is a `Decoded` with a stable code.
 */
import { isAdmittedField, readAdmittedField } from './admitted-field.js';
import { MAX_CHANNEL_NAME_BYTES, MAX_SUCCESSORS } from './constants.js';
import { inputError } from './input-error.js';
import { isValidChannelName } from './names.js';
import type { ClientCommand, Command, Decoded, Direction, ServerCommand, StandbyCommand } from './types.js';
import { decodeName, decodeUtf8 } from './utf8.js';

const NUL = 0;

function fail(code: 'EMPTY_FRAME' | 'UNKNOWN_COMMAND' | 'WRONG_DIRECTION' | 'MISSING_FIELD' | 'BAD_UTF8' | 'BAD_NAME', message: string): Decoded<never> {
  return { ok: false, error: inputError(code, message) };
}

/**
 * Field boundaries as [start0, end0, start1, end1, ...]. A body that ends with NUL is the strict
 * form; one that does not has an unterminated last field (older peers, docs/protocol.md §2).
 */
function splitFields(body: Uint8Array): number[] {
  const bounds: number[] = [];
  let start = 0;
  const n = body.length;
  for (;;) {
    const nul = body.indexOf(NUL, start);
    if (nul === -1) {
      if (start < n) bounds.push(start, n);
      return bounds;
    }
    bounds.push(start, nul);
    start = nul + 1;
    if (start === n) return bounds;
  }
}

type Kind = 'JOIN' | 'SAY' | 'EXIT' | 'INVITE' | 'STANDBY' | 'ERROR';
const TO_SERVER: ReadonlySet<string> = new Set(['JOIN', 'SAY', 'EXIT', 'INVITE']);
const TO_CLIENT: ReadonlySet<string> = new Set(['SAY', 'STANDBY', 'ERROR']);

function name(body: Uint8Array, f: number[], i: number): string | undefined {
  const s = f[2 * i];
  return s === undefined ? undefined : decodeName(body, s, f[2 * i + 1] as number);
}
function text(body: Uint8Array, f: number[], i: number): string | undefined {
  const s = f[2 * i];
  return s === undefined ? undefined : decodeUtf8(body, s, f[2 * i + 1] as number);
}
function has(f: number[], i: number): boolean {
  return f.length > 2 * i;
}

/**
 * An extension field holding a time (docs/protocol.md §2.8): decimal digits only, a safe integer.
 * Anything else is another implementation's extra field: ignored, not an error.
 */
function timeField(body: Uint8Array, f: number[], i: number): number | undefined {
  const s = f[2 * i] as number;
  const e = f[2 * i + 1] as number;
  if (e === s || e - s > 16) return undefined;
  let v = 0;
  for (let k = s; k < e; k++) {
    const c = body[k] as number;
    if (c < 0x30 || c > 0x39) return undefined;
    v = v * 10 + (c - 0x30);
  }
  return Number.isSafeInteger(v) ? v : undefined;
}

/**
 * STANDBY's extra fields (docs/protocol.md §2.8): successors (valid, distinct IDs only, at most
 * MAX_SUCCESSORS) and admission fields (`ADMIT id…`, which no peer ID can look like: §8).
 */
function standbyFields(body: Uint8Array, f: number[], peerId: string): StandbyCommand {
  const successors: string[] = [];
  let admitted: string[] | undefined;
  let seen: Set<string> | undefined;
  for (let i = 2; has(f, i); i++) {
    const s = f[2 * i] as number;
    const e = f[2 * i + 1] as number;
    if (isAdmittedField(body, s, e)) {
      readAdmittedField(body, s, e, (admitted ??= []), (seen ??= new Set()));
      continue;
    }
    if (successors.length >= MAX_SUCCESSORS) continue;
    const id = name(body, f, i);
    if (id !== undefined && id !== '' && !successors.includes(id)) successors.push(id);
  }
  return admitted === undefined || admitted.length === 0 ? { cmd: 'STANDBY', peerId, successors } : { cmd: 'STANDBY', peerId, successors, admitted };
}

function decodeToServer(kind: Kind, body: Uint8Array, f: number[]): Decoded<ClientCommand> {
  switch (kind) {
    case 'JOIN': {
      if (!has(f, 1)) return fail('MISSING_FIELD', 'JOIN without channelName');
      const channel = name(body, f, 1);
      if (channel !== undefined && channel.length > MAX_CHANNEL_NAME_BYTES) {
        return fail('BAD_NAME', `JOIN channel name of ${channel.length} bytes, over the ${MAX_CHANNEL_NAME_BYTES}-byte limit`);
      }
      if (channel === undefined || !isValidChannelName(channel)) return fail('BAD_NAME', 'JOIN with an invalid channel name');
      // An empty clientId field counts as absent: the extension is optional (docs/protocol.md §2).
      if (!has(f, 2) || f[4] === f[5]) return { ok: true, value: { cmd: 'JOIN', channel } };
      const clientId = name(body, f, 2);
      if (clientId === undefined) return fail('BAD_NAME', 'JOIN with an invalid clientId');
      return { ok: true, value: { cmd: 'JOIN', channel, clientId } };
    }
    case 'SAY': {
      if (!has(f, 1)) return fail('MISSING_FIELD', 'SAY without text');
      const t = text(body, f, 1);
      return t === undefined ? fail('BAD_UTF8', 'SAY text is not valid UTF-8') : { ok: true, value: { cmd: 'SAY', text: t } };
    }
    case 'EXIT':
      return { ok: true, value: { cmd: 'EXIT' } };
    case 'INVITE': {
      if (!has(f, 1)) return fail('MISSING_FIELD', 'INVITE without clientId');
      const clientIds: string[] = [];
      for (let i = 1; has(f, i); i++) {
        const id = name(body, f, i);
        if (id === undefined || id === '') return fail('BAD_NAME', `INVITE clientId ${i} is invalid`);
        clientIds.push(id);
      }
      return { ok: true, value: { cmd: 'INVITE', clientIds } };
    }
    default:
      return fail('WRONG_DIRECTION', `${kind} is not sent to a server`);
  }
}

function decodeToClient(kind: Kind, body: Uint8Array, f: number[]): Decoded<ServerCommand> {
  switch (kind) {
    case 'SAY': {
      if (!has(f, 2)) return fail('MISSING_FIELD', 'server SAY needs authorId and text');
      const authorId = name(body, f, 1);
      if (authorId === undefined || authorId === '') return fail('BAD_NAME', 'SAY authorId is invalid');
      const t = text(body, f, 2);
      if (t === undefined) return fail('BAD_UTF8', 'SAY text is not valid UTF-8');
      const at = has(f, 3) ? timeField(body, f, 3) : undefined;
      if (at === undefined) return { ok: true, value: { cmd: 'SAY', authorId, text: t } };
      // docs/protocol.md §2.8: the author's nick after the time; empty or not UTF-8 is another implementation's data, ignored.
      const nick = has(f, 4) ? text(body, f, 4) : undefined;
      return { ok: true, value: nick === undefined || nick === '' ? { cmd: 'SAY', authorId, text: t, at } : { cmd: 'SAY', authorId, text: t, at, nick } };
    }
    case 'STANDBY': {
      if (!has(f, 1)) return fail('MISSING_FIELD', 'STANDBY without peerId');
      const peerId = name(body, f, 1);
      if (peerId === undefined || peerId === '') return fail('BAD_NAME', 'STANDBY peerId is invalid');
      if (!has(f, 2)) return { ok: true, value: { cmd: 'STANDBY', peerId } };
      return { ok: true, value: standbyFields(body, f, peerId) };
    }
    case 'ERROR': {
      if (!has(f, 1)) return fail('MISSING_FIELD', 'ERROR without reason');
      const reason = text(body, f, 1);
      return reason === undefined ? fail('BAD_UTF8', 'ERROR reason is not valid UTF-8') : { ok: true, value: { cmd: 'ERROR', reason } };
    }
    default:
      return fail('WRONG_DIRECTION', `${kind} is not sent to a client`);
  }
}

/** Decode one frame body read by a server (`'toServer'`: ClientCommands) or a client (`'toClient'`: ServerCommands). */
export function decodeBody(body: Uint8Array, direction: 'toServer'): Decoded<ClientCommand>;
/** Decode one frame body read by a client: ServerCommands. */
export function decodeBody(body: Uint8Array, direction: 'toClient'): Decoded<ServerCommand>;
/** Decode one frame body for either direction. */
export function decodeBody(body: Uint8Array, direction: Direction): Decoded<Command>;
export function decodeBody(body: Uint8Array, direction: Direction): Decoded<Command> {
  const f = splitFields(body);
  if (f.length === 0 || f[0] === f[1]) return fail('EMPTY_FRAME', 'frame without a command name');
  const cmd = name(body, f, 0);
  if (cmd === undefined || !(TO_SERVER.has(cmd) || TO_CLIENT.has(cmd))) {
    return fail('UNKNOWN_COMMAND', `unknown command ${JSON.stringify(cmd ?? decodeUtf8(body, f[0] as number, f[1] as number) ?? '<binary>').slice(0, 40)}`);
  }
  return direction === 'toServer' ? decodeToServer(cmd as Kind, body, f) : decodeToClient(cmd as Kind, body, f);
}
