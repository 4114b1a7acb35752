/**
 * @ims/secure: secure mode's keys, identities, certificates and sealed PeerPDUs (docs/security.md).
 * node:crypto only; the transport and discovery apply it to their sockets.
 */
export { SecureError, type SecureErrorCode } from './secure-error.js';
export { type NetworkKey, formatNetworkKeys, generateNetworkKey, parseNetworkKeys, readNetworkKeyFile } from './network-key.js';
export { type Identity, generateIdentity, isKeyPeerId, loadOrCreateIdentity, peerIdOfKey } from './identity.js';
export { ANY_PEER, type PeerPolicy, parsePeerList, peerPolicy, readPeerList } from './peer-policy.js';
export { type OpenFailure, type OpenResult, type PduSealer, SEAL_OVERHEAD, looksSealed } from './pdu-sealer.js';
export { type SecureMode, type SecureModeOptions, type TlsMaterial, secureMode } from './secure-mode.js';
export { type SecureFiles, loadSecureMode, reloadSecureMode } from './load-secure-mode.js';
export { testNetwork } from './test-network.js';
