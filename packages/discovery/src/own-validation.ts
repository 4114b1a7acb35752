/**
 * Checks on the local peer's own announced values. A bad nick, ID or port is the caller's bug:
 * it throws DiscoveryError('INVALID_OPTION') at once instead of failing every later announcement.
 */
import { CodecError, SERVER_PORT_MAX, SERVER_PORT_MIN, encodePdu, isValidPeerId, type PduOption } from '@ims/codec';
import { DiscoveryError } from './errors.js';
import type { OwnServer } from './own-state.js';

/** Check that options encode (the codec's name rules) and fit one datagram; a caller's bug throws. */
function assertEncodable(peerId: string, options: PduOption[], maxDatagramBytes: number, what: string): void {
  let size: number;
  try {
    size = encodePdu({ peerId, options }).length;
  } catch (cause) {
    if (!(cause instanceof CodecError)) throw cause;
    throw new DiscoveryError('INVALID_OPTION', `${what}: ${cause.message}`, { cause });
  }
  if (size > maxDatagramBytes) throw new DiscoveryError('INVALID_OPTION', `${what} needs ${size} bytes, over the ${maxDatagramBytes}-byte datagram`);
}

/** A nick must be non-empty, encodable, and fit a datagram beside the peer ID. */
export function validateNick(peerId: string, nick: string | undefined, maxDatagramBytes: number): void {
  if (nick === undefined) return;
  if (nick.length === 0) throw new DiscoveryError('INVALID_OPTION', 'a nick must not be empty');
  // Every split piece repeats the nick and SERVER_OPTION, so both must fit beside the peer ID.
  assertEncodable(peerId, [{ type: 'CLIENT_NICK', nick }, { type: 'SERVER_OPTION', port: SERVER_PORT_MIN }], maxDatagramBytes, 'nick');
}

/** Every ID must be a valid peer ID (visible ASCII). */
export function validateIds(ids: readonly string[], what: string): void {
  const bad = ids.find((id) => !isValidPeerId(id));
  if (bad !== undefined) throw new DiscoveryError('INVALID_OPTION', `${what} ${JSON.stringify(bad)} is not a valid peer ID`);
}

/** A server port must be in 49152–65535 (the draft §2). */
export function validateServer(server: OwnServer | undefined): void {
  if (server !== undefined && !(Number.isInteger(server.port) && server.port >= SERVER_PORT_MIN && server.port <= SERVER_PORT_MAX)) {
    throw new DiscoveryError('INVALID_OPTION', `a server port must be in ${SERVER_PORT_MIN}–${SERVER_PORT_MAX}, got ${server.port}`);
  }
}
