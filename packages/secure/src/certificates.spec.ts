import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issuedByOneOf, leafCertificate, networkCa } from './certificates.js';
import { generateIdentity } from './identity.js';
import { generateNetworkKey } from './network-key.js';

describe('certificates', () => {
  const key = generateNetworkKey();

  it('derives the same CA key from the same network key on every peer', () => {
    const a = new X509Certificate(networkCa(key).pem);
    const b = new X509Certificate(networkCa(key).pem);
    expect(a.publicKey.export({ format: 'der', type: 'spki' })).toEqual(b.publicKey.export({ format: 'der', type: 'spki' }));
    expect(a.ca).toBe(true);
    expect(a.subject).toBe(`CN=ims network ${key.id}`);
    expect(a.verify(a.publicKey)).toBe(true);
  });

  it("issues a leaf carrying the peer's key that OpenSSL checks against the CA, and no other network's CA", () => {
    const identity = generateIdentity();
    const leaf = new X509Certificate(leafCertificate(identity, networkCa(key)));
    expect(leaf.ca).toBe(false);
    expect(leaf.subject).toBe(`CN=${identity.peerId}`);
    expect(leaf.publicKey.export({ format: 'der', type: 'spki' })).toEqual(identity.publicKey.export({ format: 'der', type: 'spki' }));
    const ours = new X509Certificate(networkCa(key).pem);
    const theirs = new X509Certificate(networkCa(generateNetworkKey()).pem);
    expect(issuedByOneOf(leaf, [ours])).toBe(true);
    expect(issuedByOneOf(leaf, [theirs])).toBe(false);
    expect(issuedByOneOf(leaf, [theirs, ours])).toBe(true);
  });
});
