/**
 * The settings of secure mode, the same in every app (docs/security.md "Setting up a network"):
 * spread into an app's config spec, they become `--network-key-file`, `IMS_NETWORK_KEY_FILE`, etc.
 * app-kit only declares them; `@ims/secure` loads what they name.
 */
import { field } from './fields.js';

/** Config keys of secure mode; without `networkKeyFile` the app runs in plain mode. */
export const SECURE_CONFIG_SPEC = {
  networkKeyFile: field.optionalString({
    doc: 'secure mode: the network key file (`ims keygen FILE` makes one); every peer of a secure network has the same file. Plain mode (the draft) unless set',
  }),
  identityFile: field.optionalString({
    doc: "secure mode: this peer's Ed25519 key (PKCS#8 PEM, made on first start, mode 0600); the peer ID is derived from it",
  }),
  allowPeersFile: field.optionalString({ doc: 'secure mode: only the peer IDs listed in this file (one per line, # comments) are accepted' }),
  revokedPeersFile: field.optionalString({ doc: 'secure mode: the peer IDs listed in this file are never accepted' }),
  replayWindow: field.duration(60_000, {
    min: 1_000,
    max: 3_600_000,
    doc: 'secure mode: ms a sealed PeerPDU may be older or newer than our clock (clocks of secure peers must agree within it)',
  }),
} as const;
