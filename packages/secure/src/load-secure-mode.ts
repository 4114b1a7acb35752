/** Secure mode from the files an app's configuration names (SECURE_CONFIG_SPEC in @ims/app-kit). */
import { generateIdentity, loadOrCreateIdentity } from './identity.js';
import { readNetworkKeyFile } from './network-key.js';
import { type PeerPolicy, peerPolicy, readPeerList } from './peer-policy.js';
import { type SecureMode, secureMode } from './secure-mode.js';

/** The files and settings of secure mode. */
export interface SecureFiles {
  readonly networkKeyFile: string;
  /** Identity file; undefined: a fresh identity for this run only (a new peer ID at every start). */
  readonly identityFile: string | undefined;
  readonly allowPeersFile?: string | undefined;
  readonly revokedPeersFile?: string | undefined;
  /** @default 60_000 */
  readonly replayWindowMs?: number;
}

/** Reads every file and builds the process's secure mode; throws SecureError naming the file and the fix. */
export function loadSecureMode(files: SecureFiles): SecureMode {
  const keys = readNetworkKeyFile(files.networkKeyFile);
  const identity = files.identityFile === undefined ? generateIdentity() : loadOrCreateIdentity(files.identityFile);
  const policy = readPolicy(files, identity.peerId);
  return secureMode({ identity, keys, policy, ...(files.replayWindowMs !== undefined ? { replayWindowMs: files.replayWindowMs } : {}) });
}

/**
 * Reads the key file and the peer lists again and hands them to `mode` (SIGHUP: a rotation step or
 * a revocation without a restart). All files are read before anything changes: a bad file throws
 * SecureError and leaves the running mode as it was. Returns the key IDs now in use.
 */
export function reloadSecureMode(mode: SecureMode, files: SecureFiles): readonly string[] {
  const keys = readNetworkKeyFile(files.networkKeyFile);
  const policy = readPolicy(files, mode.identity.peerId);
  mode.reload({ keys, policy });
  return keys.map((k) => k.id);
}

function readPolicy(files: SecureFiles, self: string): PeerPolicy {
  const allow = files.allowPeersFile === undefined ? undefined : readPeerList(files.allowPeersFile);
  const revoked = files.revokedPeersFile === undefined ? [] : readPeerList(files.revokedPeersFile);
  // A peer always admits itself: its own PDUs come back by multicast loopback.
  return peerPolicy({ ...(allow ? { allow: [...allow, self] } : {}), revoked });
}
