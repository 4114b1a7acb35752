/**
 * Channel-name and peer-ID rules (docs/protocol.md §1): both are ASCII; ims accepts visible ASCII
 * (0x21–0x7E) so names survive logs, CLIs and every other implementation unchanged.
 */
import { MAX_CHANNEL_NAME_BYTES, MAX_CONFIGURED_PEER_ID_LENGTH } from './constants.js';

const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/** True for a valid peer ID: one or more visible ASCII characters (0x21–0x7E). */
export function isValidPeerId(id: string): boolean {
  return typeof id === 'string' && VISIBLE_ASCII.test(id);
}

/**
 * True for a peer ID ims may take from its own command line or files (`--id`, `--invite`, an ID
 * file): a valid peer ID of at most {@link MAX_CONFIGURED_PEER_ID_LENGTH} characters.
 */
export function isValidConfiguredPeerId(id: string): boolean {
  return isValidPeerId(id) && id.length <= MAX_CONFIGURED_PEER_ID_LENGTH;
}

/**
 * The one order of peer IDs (byte order; IDs are ASCII, so UTF-16 order is byte order): lobby
 * listings, the standby tie-break and the partition rule (docs/protocol.md §5) all sort by it.
 */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * True for a valid channel name: '#' (public) or '@' (private), then one or more visible ASCII
 * characters, {@link MAX_CHANNEL_NAME_BYTES} bytes at most in all (docs/protocol.md §1.1).
 */
export function isValidChannelName(name: string): boolean {
  return (
    typeof name === 'string' &&
    name.length >= 2 &&
    name.length <= MAX_CHANNEL_NAME_BYTES &&
    (name[0] === '#' || name[0] === '@') &&
    VISIBLE_ASCII.test(name)
  );
}

/** True for a valid public channel name (starts with '#'): the only kind a PeerPDU may carry. */
export function isPublicChannel(name: string): boolean {
  return isValidChannelName(name) && name[0] === '#';
}

/** True for a valid private channel name (starts with '@'): never announced (docs/protocol.md §1). */
export function isPrivateChannel(name: string): boolean {
  return isValidChannelName(name) && name[0] === '@';
}
