/**
 * Which proven peers a secure network accepts: an optional allow-list (only they) and a revoked
 * list (never them). A refused peer is dropped like a keyless one, before the logic.
 */
import { readFileSync } from 'node:fs';
import { isKeyPeerId } from './identity.js';
import { SecureError } from './secure-error.js';

/** Decides whether a proven peer ID is accepted. */
export interface PeerPolicy {
  /** True when `peerId` may take part. */
  admits(peerId: string): boolean;
}

/** Accepts every holder of the network key. */
export const ANY_PEER: PeerPolicy = Object.freeze({ admits: () => true });

/** A policy from lists: with `allow`, only those; never one in `revoked`. */
export function peerPolicy(lists: { readonly allow?: readonly string[]; readonly revoked?: readonly string[] }): PeerPolicy {
  const allow = lists.allow === undefined ? undefined : new Set(lists.allow);
  const revoked = new Set(lists.revoked ?? []);
  return Object.freeze({ admits: (id: string) => !revoked.has(id) && (allow === undefined || allow.has(id)) });
}

/** Parses a peer list: one key-derived peer ID per line, `#` starts a comment. Throws SecureError BAD_PEER_LIST naming the line. */
export function parsePeerList(text: string, source: string): string[] {
  const ids: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    if (!isKeyPeerId(line)) {
      throw new SecureError('BAD_PEER_LIST', `${source}:${index + 1}: "${line.slice(0, 80)}" is not a secure-mode peer ID (k + 52 base32 characters; \`ims id\` prints one)`);
    }
    ids.push(line);
  });
  return ids;
}

/** Reads a peer list file (parsePeerList). */
export function readPeerList(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SecureError('BAD_PEER_LIST', `cannot read the peer list ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  return parsePeerList(text, path);
}
