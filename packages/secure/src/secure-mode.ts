/**
 * One process's secure mode: its identity, the network keys, the peer policy, and what the layers
 * take from them (TLS material for the transport, the PDU sealer for discovery). docs/security.md.
 */
import { X509Certificate } from 'node:crypto';
import { issuedByOneOf, leafCertificate, networkCa } from './certificates.js';
import { type Identity, peerIdOfKey } from './identity.js';
import type { NetworkKey } from './network-key.js';
import { type PduSealer, type ReloadablePduSealer, pduSealer } from './pdu-sealer.js';
import { ANY_PEER, type PeerPolicy } from './peer-policy.js';

/** The TLS options of secure mode (PEM): own key and leaf certificate, and the accepted network CAs. */
export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
  readonly ca: readonly string[];
}

/** Everything a layer needs in secure mode; one object per process, shared by discovery and the transport. */
export interface SecureMode {
  /** This process's identity; `identity.peerId` is its peer ID. */
  readonly identity: Identity;
  /** The accepted network keys; the first seals PDUs and issues this peer's certificate. */
  readonly keys: readonly NetworkKey[];
  /** Which proven peers are accepted. */
  readonly policy: PeerPolicy;
  /** TLS options for `tls.createSecureContext` / `tls.connect` (the same object each call). */
  tls(): TlsMaterial;
  /** The proven peer ID of a verified TLS peer, or undefined when it shows no certificate of an accepted network, not an Ed25519 key, or the policy refuses it. */
  provenPeerId(cert: X509Certificate | undefined): string | undefined;
  /** Seals and opens PeerPDUs (the replay state lives inside); the same object after a reload. */
  readonly sealer: PduSealer;
  /**
   * Takes new keys and a new policy without a restart (a key rotation step, a revocation): PDUs and
   * new connections use them from now on; connections already open stay. The identity stays.
   */
  reload(options: { readonly keys: readonly NetworkKey[]; readonly policy?: PeerPolicy }): void;
}

/** Options of {@link secureMode}. */
export interface SecureModeOptions {
  readonly identity: Identity;
  /** At least one; the first seals and issues. */
  readonly keys: readonly NetworkKey[];
  /** @default every holder of a key */
  readonly policy?: PeerPolicy;
  /** Replay window of sealed PDUs (also the clock skew secure peers tolerate). @default 60_000 */
  readonly replayWindowMs?: number;
  /** Wall clock in ms. @default Date.now */
  readonly now?: () => number;
}

/** Builds a process's secure mode (certificates are issued here, and again at a reload). */
export function secureMode(options: SecureModeOptions): SecureMode {
  return new ProcessSecureMode(options);
}

interface Material {
  readonly keys: readonly NetworkKey[];
  readonly policy: PeerPolicy;
  readonly tls: TlsMaterial;
  readonly caCerts: readonly X509Certificate[];
}

function materialOf(identity: Identity, keys: readonly NetworkKey[], policy: PeerPolicy): Material {
  const first = keys[0];
  if (first === undefined) throw new RangeError('secure mode needs at least one network key');
  const cas = keys.map(networkCa);
  const tls: TlsMaterial = Object.freeze({
    key: identity.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    cert: leafCertificate(identity, networkCa(first)),
    ca: Object.freeze(cas.map((ca) => ca.pem)),
  });
  return { keys: Object.freeze([...keys]), policy, tls, caCerts: cas.map((ca) => new X509Certificate(ca.pem)) };
}

class ProcessSecureMode implements SecureMode {
  readonly identity: Identity;
  readonly sealer: ReloadablePduSealer;
  private current: Material;

  constructor(options: SecureModeOptions) {
    this.identity = options.identity;
    this.current = materialOf(options.identity, options.keys, options.policy ?? ANY_PEER);
    this.sealer = pduSealer({ identity: options.identity, keys: options.keys, policy: this.current.policy, replayWindowMs: options.replayWindowMs, now: options.now });
  }

  get keys(): readonly NetworkKey[] {
    return this.current.keys;
  }

  get policy(): PeerPolicy {
    return this.current.policy;
  }

  tls(): TlsMaterial {
    return this.current.tls;
  }

  provenPeerId(cert: X509Certificate | undefined): string | undefined {
    // TLS already verified the chain (rejectUnauthorized); this second look costs one signature
    // check per connection and keeps a misconfigured socket from passing anyone.
    if (cert === undefined || cert.publicKey.asymmetricKeyType !== 'ed25519' || !issuedByOneOf(cert, this.current.caCerts)) return undefined;
    const peerId = peerIdOfKey(cert.publicKey);
    return this.current.policy.admits(peerId) ? peerId : undefined;
  }

  reload(options: { readonly keys: readonly NetworkKey[]; readonly policy?: PeerPolicy }): void {
    const next = materialOf(this.identity, options.keys, options.policy ?? this.current.policy);
    this.current = next;
    this.sealer.update(next.keys, next.policy);
  }
}
