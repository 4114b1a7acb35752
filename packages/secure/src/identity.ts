/**
 * A peer's identity in secure mode: an Ed25519 key pair (RFC 8032) kept in its data or config dir,
 * and the peer ID derived from the public key: `k` + base32 of the 32 raw key bytes (the ID *is* the
 * key, as libp2p's identity-multihash PeerIds are), so anyone can check a signature from the ID alone.
 */
import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { base32Decode, base32Encode } from './base32.js';
import { SecureError } from './secure-error.js';

/** A peer's key pair and the peer ID derived from it. */
export interface Identity {
  /** `k` + 52 base32 characters: this peer's ID on the wire. */
  readonly peerId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ID_PREFIX = 'k';
const ID_LENGTH = 1 + 52;

/** The 32 raw bytes of an Ed25519 public key. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

/** The peer ID of an Ed25519 public key. */
export function peerIdOfKey(publicKey: KeyObject): string {
  return ID_PREFIX + base32Encode(rawPublicKey(publicKey));
}

/** The peer ID of 32 raw public-key bytes. */
export function peerIdOfRawKey(raw: Uint8Array): string {
  return ID_PREFIX + base32Encode(raw);
}

/** The 32 raw key bytes a key-derived peer ID names, or undefined when `id` is not one. */
export function rawKeyOfPeerId(id: string): Uint8Array | undefined {
  if (id.length !== ID_LENGTH || !id.startsWith(ID_PREFIX)) return undefined;
  const raw = base32Decode(id.slice(1));
  return raw?.length === 32 ? raw : undefined;
}

/** True when `id` is a key-derived peer ID (secure mode admits no other). */
export function isKeyPeerId(id: string): boolean {
  return rawKeyOfPeerId(id) !== undefined;
}

/** The public key of 32 raw bytes, as a node KeyObject. */
export function publicKeyOfRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

function identityOf(privateKey: KeyObject): Identity {
  const publicKey = createPublicKey(privateKey);
  return Object.freeze({ peerId: peerIdOfKey(publicKey), privateKey, publicKey });
}

/** A fresh identity (tests, and the first start of a peer). */
export function generateIdentity(): Identity {
  return identityOf(generateKeyPairSync('ed25519').privateKey);
}

/** Loads the identity at `path` (PKCS#8 PEM), creating it (mode 0600, parent dirs 0700) when the file does not exist. */
export function loadOrCreateIdentity(path: string): Identity {
  let pem: string | undefined;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SecureError('BAD_IDENTITY_FILE', `cannot read the identity file ${path} (${(err as NodeJS.ErrnoException).code}); check its permissions`, { cause: err });
    }
  }
  if (pem === undefined) return createIdentityFile(path);
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new SecureError('BAD_IDENTITY_FILE', `${path} is not a PEM private key; move it away and a new identity (a new peer ID) is made at the next start`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SecureError('BAD_IDENTITY_FILE', `${path} holds a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519; move it away and a new identity is made at the next start`);
  }
  return identityOf(key);
}

function createIdentityFile(path: string): Identity {
  const identity = generateIdentity();
  const temp = `${path}.${process.pid}.new`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(temp, identity.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    // link() is atomic and refuses an existing name: of two processes starting at once on one
    // dir, one identity wins whole and the other process reads it.
    linkSync(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateIdentity(path);
    throw new SecureError('BAD_IDENTITY_FILE', `cannot create the identity file ${path} (${(err as NodeJS.ErrnoException).code}); check that the directory is writable`, { cause: err });
  } finally {
    rmSync(temp, { force: true });
  }
  return identity;
}
