import { type CipherGCM, type DecipherGCM, createCipheriv, createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateIdentity } from './identity.js';
import { deriveKey, generateNetworkKey } from './network-key.js';
import { SEAL_OVERHEAD, looksSealed, pduSealer } from './pdu-sealer.js';
import { ANY_PEER, peerPolicy } from './peer-policy.js';
import { COUNTER_PER_MS } from './replay-guard.js';

const PDU = new TextEncoder().encode('peer-1\0alice\0#lobby\0');
const key = generateNetworkKey();

function pair(options: { now?: () => number; replayWindowMs?: number } = {}) {
  const alice = generateIdentity();
  const bob = generateIdentity();
  const make = (identity = alice) => pduSealer({ identity, keys: [key], policy: ANY_PEER, ...options });
  return { alice, bob, sender: make(alice), receiver: make(bob), make };
}

describe('sealed PeerPDUs', () => {
  it('open what was sealed, naming the signer, adding exactly the overhead, showing no PDU byte', () => {
    const { alice, sender, receiver } = pair();
    const sealed = sender.seal(PDU);
    expect(sealed.length).toBe(PDU.length + SEAL_OVERHEAD);
    expect(looksSealed(sealed)).toBe(true);
    expect(Buffer.from(sealed).includes(Buffer.from('alice'))).toBe(false);
    expect(Buffer.from(sealed).includes(Buffer.from('#lobby'))).toBe(false);
    const opened = receiver.open(sealed);
    expect(opened.ok && opened.peerId).toBe(alice.peerId);
    expect(opened.ok && Buffer.from(opened.pdu).equals(Buffer.from(PDU))).toBe(true);
  });

  it('refuse plain bytes, another network, and any altered byte', () => {
    const { sender, receiver } = pair();
    expect(receiver.open(PDU)).toEqual({ ok: false, cause: 'not-sealed' });
    const stranger = pduSealer({ identity: generateIdentity(), keys: [generateNetworkKey()], policy: ANY_PEER });
    expect(receiver.open(stranger.seal(PDU))).toEqual({ ok: false, cause: 'unknown-key' });
    const sealed = sender.seal(PDU);
    for (let i = 12; i < sealed.length; i += 7) {
      const altered = Uint8Array.from(sealed);
      altered[i]! ^= 0x01;
      expect(receiver.open(altered), `byte ${i}`).toEqual({ ok: false, cause: 'forged' });
    }
  });

  it('refuse a replay while the sender is remembered, and an old datagram by its age after', () => {
    let now = 1_800_000_000_000;
    const { sender, receiver } = pair({ now: () => now, replayWindowMs: 60_000 });
    const first = sender.seal(PDU);
    expect(receiver.open(first).ok).toBe(true);
    expect(receiver.open(first)).toEqual({ ok: false, cause: 'replayed' });
    const second = sender.seal(PDU);
    expect(receiver.open(second).ok).toBe(true);
    now += 120_000; // the sender is forgotten; its old datagram is too old
    expect(receiver.open(first)).toEqual({ ok: false, cause: 'stale' });
    expect(receiver.open(sender.seal(PDU)).ok).toBe(true);
  });

  it('take several PDUs sealed within one millisecond, in order', () => {
    const now = 1_800_000_000_000;
    const { sender, receiver } = pair({ now: () => now });
    const sealed = [sender.seal(PDU), sender.seal(PDU), sender.seal(PDU)];
    expect(sealed.map((d) => receiver.open(d).ok)).toEqual([true, true, true]);
  });

  it('refuse a sender whose clock is off by more than the window, and take it within', () => {
    let senderNow = 1_800_000_000_000 - 61_000;
    const alice = generateIdentity();
    const sender = pduSealer({ identity: alice, keys: [key], policy: ANY_PEER, now: () => senderNow });
    const receiver = pduSealer({ identity: generateIdentity(), keys: [key], policy: ANY_PEER, now: () => 1_800_000_000_000 });
    expect(receiver.open(sender.seal(PDU))).toEqual({ ok: false, cause: 'stale' });
    senderNow += 2_000;
    expect(receiver.open(sender.seal(PDU)).ok).toBe(true);
    expect(Math.floor(COUNTER_PER_MS)).toBe(1024);
  });

  it('refuse a signer the policy does not admit, before its replay state is kept', () => {
    const { alice, sender } = pair();
    const receiver = pduSealer({ identity: generateIdentity(), keys: [key], policy: peerPolicy({ revoked: [alice.peerId] }) });
    expect(receiver.open(sender.seal(PDU))).toEqual({ ok: false, cause: 'not-admitted' });
  });

  it('accept both keys during a rotation and seal with the first', () => {
    const next = generateNetworkKey();
    const alice = generateIdentity();
    const rotated = pduSealer({ identity: alice, keys: [next, key], policy: ANY_PEER });
    const oldOnly = pduSealer({ identity: generateIdentity(), keys: [key], policy: ANY_PEER });
    const both = pduSealer({ identity: generateIdentity(), keys: [key, next], policy: ANY_PEER });
    const sealed = rotated.seal(PDU);
    expect(both.open(sealed).ok).toBe(true);
    expect(oldOnly.open(sealed)).toEqual({ ok: false, cause: 'unknown-key' });
    expect(rotated.open(oldOnly.seal(PDU)).ok).toBe(true);
  });
});

describe('sealed PeerPDUs: a forgery never moves a sender on', () => {
  it('refuses a datagram whose signature fails without remembering its counter', () => {
    const alice = generateIdentity();
    const sender = pduSealer({ identity: alice, keys: [key], policy: ANY_PEER });
    const receiver = pduSealer({ identity: generateIdentity(), keys: [key], policy: ANY_PEER });
    const later = sender.seal(PDU); // a genuine datagram, opened after the forgery below
    // Re-seal the plaintext under the network key with a broken signature: AEAD passes, the signature does not.
    const opened = sender.seal(PDU);
    expect(receiver.open(corruptSignature(opened)).ok).toBe(false);
    expect(receiver.open(later).ok).toBe(true);
  });
});

/** The datagram re-encrypted with its last signature byte flipped (a holder of the network key forging a signer). */
function corruptSignature(datagram: Uint8Array): Uint8Array {
  const aead = deriveKey(key, 'ims peerpdu v1');
  const header = Buffer.from(datagram.subarray(0, 24));
  const d = createDecipheriv('chacha20-poly1305', aead, header.subarray(12), { authTagLength: 16 }) as unknown as DecipherGCM;
  d.setAAD(header);
  d.setAuthTag(Buffer.from(datagram.subarray(datagram.length - 16)));
  const plain = Buffer.concat([d.update(datagram.subarray(24, datagram.length - 16)), d.final()]);
  plain[plain.length - 1]! ^= 1;
  const c = createCipheriv('chacha20-poly1305', aead, header.subarray(12), { authTagLength: 16 }) as unknown as CipherGCM;
  c.setAAD(header);
  return Buffer.concat([header, c.update(plain), c.final(), c.getAuthTag()]);
}
