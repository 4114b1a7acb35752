/** Fixtures for other packages' tests: a secure network of fresh identities under one key. */
import { generateIdentity } from './identity.js';
import { type NetworkKey, generateNetworkKey } from './network-key.js';
import type { PeerPolicy } from './peer-policy.js';
import { type SecureMode, secureMode } from './secure-mode.js';

/** A network of `n` peers (fresh identities) sharing one fresh key. */
export function testNetwork(
  n: number,
  options: { readonly replayWindowMs?: number; readonly now?: () => number; readonly policy?: PeerPolicy } = {},
): { readonly key: NetworkKey; readonly modes: SecureMode[] } {
  const key = generateNetworkKey();
  const modes = Array.from({ length: n }, () => secureMode({ identity: generateIdentity(), keys: [key], ...options }));
  return { key, modes };
}
