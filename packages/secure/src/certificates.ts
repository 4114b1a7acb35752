/**
 * The X.509 certificates of secure mode's TLS 1.3 (docs/security.md "Design"): a **network CA**
 * whose Ed25519 key is derived from the network key (HKDF-SHA256, info `ims tls ca v1`: whoever
 * holds the network key can issue, nobody else can), and each peer's **leaf** carrying its identity
 * key, issued by that CA at start-up. TLS verifies the chain and the peer's possession of the leaf's
 * key; the peer ID is derived from the leaf's key, never read from a name.
 */
import type { X509Certificate} from 'node:crypto';
import { type KeyObject, createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { bitString, explicit, generalizedTime, integer, octetString, oid, sequence, TRUE, tlv, utf8String } from './der.js';
import type { Identity } from './identity.js';
import { type NetworkKey, deriveKey } from './network-key.js';

/** DER prefix of an Ed25519 PKCS#8 private key; the 32-byte seed follows (RFC 8410). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519 = sequence(oid('2b6570'));
const CN = oid('550403');
const BASIC_CONSTRAINTS = oid('551d13');
const KEY_USAGE = oid('551d0f');
/** keyCertSign | cRLSign (CA), digitalSignature (leaf): BIT STRING contents with unused-bit counts. */
const CA_USAGE = Buffer.from([0x03, 0x02, 0x01, 0x06]);
const LEAF_USAGE = Buffer.from([0x03, 0x02, 0x07, 0x80]);
/** Validity is not what protects a network (its key is; rotation replaces the CA): fixed, so clock skew never breaks a handshake. */
const NOT_BEFORE = '20200101000000Z';
const NOT_AFTER = '99991231235959Z';

/** A network's CA: the key it signs with and its certificate (PEM). */
export interface NetworkCa {
  readonly key: KeyObject;
  readonly pem: string;
  /** Subject name, `ims network <key id>`: distinct per key, so OpenSSL finds the right issuer among several. */
  readonly name: string;
}

function nameOf(commonName: string): Buffer {
  return sequence(tlv(0x31, sequence(CN, utf8String(commonName))));
}

function extension(id: Buffer, value: Buffer): Buffer {
  return sequence(id, TRUE, octetString(value));
}

function certificate(options: { issuer: string; subject: string; subjectKey: KeyObject; ca: boolean; signer: KeyObject }): string {
  const spki = options.subjectKey.export({ format: 'der', type: 'spki' });
  const extensions = [
    extension(BASIC_CONSTRAINTS, options.ca ? sequence(TRUE) : sequence()),
    extension(KEY_USAGE, options.ca ? CA_USAGE : LEAF_USAGE),
  ];
  const serial = Buffer.concat([Buffer.from([0x01]), randomBytes(8)]);
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ED25519,
    nameOf(options.issuer),
    sequence(generalizedTime(NOT_BEFORE), generalizedTime(NOT_AFTER)),
    nameOf(options.subject),
    spki,
    explicit(3, sequence(...extensions)),
  );
  const der = sequence(tbs, ED25519, bitString(sign(null, tbs, options.signer)));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** CAs already derived, by key: a process (or a test making many members) derives each once. */
const derived = new Map<string, NetworkCa>();

/** The CA of a network key: the same key (and name) on every peer that holds the network key. */
export function networkCa(key: NetworkKey): NetworkCa {
  const known = derived.get(key.secret.toString('hex'));
  if (known !== undefined) return known;
  const ca = deriveCa(key);
  if (derived.size >= 64) derived.clear();
  derived.set(key.secret.toString('hex'), ca);
  return ca;
}

function deriveCa(key: NetworkKey): NetworkCa {
  const seed = deriveKey(key, 'ims tls ca v1');
  const caKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const name = `ims network ${key.id}`;
  return { key: caKey, name, pem: certificate({ issuer: name, subject: name, subjectKey: createPublicKey(caKey), ca: true, signer: caKey }) };
}

/** This peer's leaf certificate (PEM), issued by `ca`, subject name = its peer ID. */
export function leafCertificate(identity: Identity, ca: NetworkCa): string {
  return certificate({ issuer: ca.name, subject: identity.peerId, subjectKey: identity.publicKey, ca: false, signer: ca.key });
}

/** True when `cert` was issued and signed by one of `cas` (a check beside TLS's own). */
export function issuedByOneOf(cert: X509Certificate, cas: readonly X509Certificate[]): boolean {
  return cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
}
