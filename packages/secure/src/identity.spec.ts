import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateIdentity, isKeyPeerId, loadOrCreateIdentity, peerIdOfRawKey, rawKeyOfPeerId, rawPublicKey } from './identity.js';

describe('identity', () => {
  it('derives a 53-character visible-ASCII peer ID that names the public key', () => {
    const id = generateIdentity();
    expect(id.peerId).toMatch(/^k[a-z2-7]{52}$/);
    expect(isKeyPeerId(id.peerId)).toBe(true);
    expect(Buffer.from(rawKeyOfPeerId(id.peerId)!).equals(rawPublicKey(id.publicKey))).toBe(true);
    expect(peerIdOfRawKey(rawPublicKey(id.publicKey))).toBe(id.peerId);
  });

  it('refuses IDs that are not key-derived', () => {
    for (const id of ['server-1', `k${'a'.repeat(51)}`, `x${'a'.repeat(52)}`, `k${'a'.repeat(51)}1`, `k${'7'.repeat(52)}`]) {
      expect(isKeyPeerId(id), id).toBe(false);
    }
  });

  it('creates the file once (mode 0600) and loads the same identity afterwards', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ims-id-')), 'sub', 'identity.key');
    const first = loadOrCreateIdentity(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateIdentity(path).peerId).toBe(first.peerId);
  });

  it('refuses a file that is not an Ed25519 PEM key, saying what to do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ims-id-'));
    writeFileSync(join(dir, 'garbage'), 'hello');
    expect(() => loadOrCreateIdentity(join(dir, 'garbage'))).toThrow(/not a PEM private key; move it away/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    writeFileSync(join(dir, 'rsa'), rsa);
    expect(() => loadOrCreateIdentity(join(dir, 'rsa'))).toThrow(expect.objectContaining({ code: 'BAD_IDENTITY_FILE' }));
  });
});
