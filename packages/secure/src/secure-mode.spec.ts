import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateIdentity } from './identity.js';
import { peerPolicy } from './peer-policy.js';
import { type SecureMode, secureMode } from './secure-mode.js';
import { testNetwork } from './test-network.js';

describe('secure mode', () => {
  it("proves a member's peer ID from its certificate, and no outsider's", () => {
    const { key, modes } = testNetwork(2);
    const [a, b] = modes as [ReturnType<typeof secureMode>, ReturnType<typeof secureMode>];
    expect(a.provenPeerId(new X509Certificate(b.tls().cert))).toBe(b.identity.peerId);
    expect(a.provenPeerId(undefined)).toBeUndefined();
    const outsider = testNetwork(1).modes[0]!;
    expect(a.provenPeerId(new X509Certificate(outsider.tls().cert))).toBeUndefined();
    const strict = secureMode({ identity: generateIdentity(), keys: [key], policy: peerPolicy({ revoked: [b.identity.peerId] }) });
    expect(strict.provenPeerId(new X509Certificate(b.tls().cert))).toBeUndefined();
    expect(strict.provenPeerId(new X509Certificate(a.tls().cert))).toBe(a.identity.peerId);
  });

  it('lists the CA of every accepted key', () => {
    const { key } = testNetwork(0);
    const { key: next } = testNetwork(0);
    const mode = secureMode({ identity: generateIdentity(), keys: [next, key] });
    expect(mode.tls().ca.map((pem) => new X509Certificate(pem).subject)).toEqual([`CN=ims network ${next.id}`, `CN=ims network ${key.id}`]);
  });
});

describe('secure mode reload', () => {
  it('takes new keys and a new policy: new certificates, PDUs under the new first key, replay state kept', () => {
    const { key, modes } = testNetwork(2);
    const [a, b] = modes as [SecureMode, SecureMode];
    const next = testNetwork(0).key;
    const before = a.sealer.seal(new Uint8Array([1, 2, 3]));
    expect(b.sealer.open(before).ok).toBe(true);
    b.reload({ keys: [next, key] });
    expect(b.keys.map((k) => k.id)).toEqual([next.id, key.id]);
    expect(new X509Certificate(b.tls().cert).issuer).toBe(`CN=ims network ${next.id}`);
    expect(b.sealer.open(before)).toEqual({ ok: false, cause: 'replayed' });
    expect(a.sealer.open(b.sealer.seal(new Uint8Array([4])))).toEqual({ ok: false, cause: 'unknown-key' });
    a.reload({ keys: [key, next] });
    expect(a.sealer.open(b.sealer.seal(new Uint8Array([5]))).ok).toBe(true);
    expect(a.provenPeerId(new X509Certificate(b.tls().cert))).toBe(b.identity.peerId);
    a.reload({ keys: [key, next], policy: peerPolicy({ revoked: [b.identity.peerId] }) });
    expect(a.provenPeerId(new X509Certificate(b.tls().cert))).toBeUndefined();
    expect(a.sealer.open(b.sealer.seal(new Uint8Array([6])))).toEqual({ ok: false, cause: 'not-admitted' });
  });
});
