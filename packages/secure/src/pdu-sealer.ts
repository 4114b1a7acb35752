/**
 * Sealed PeerPDUs (docs/security.md "PeerPDUs"): signed with the sender's Ed25519 identity, then
 * encrypted with ChaCha20-Poly1305 (RFC 8439) under a key derived from the network key (HKDF-SHA256,
 * info `ims peerpdu v1`). Layout:
 *
 *   header:  "IMS" 0x01 (4) | key id (8) | nonce (12)          = AAD
 *   sealed:  signer public key (32) | counter u64 BE (8) | PeerPDU | Ed25519 signature (64)
 *            + Poly1305 tag (16)
 *
 * The signature covers a domain string, the header, the key, the counter and the PDU. Nothing of
 * the PDU is readable without the network key, and no holder of it can speak for another identity.
 */
import { type CipherGCM, type DecipherGCM, type KeyObject, createCipheriv, createDecipheriv, randomFillSync, sign, verify } from 'node:crypto';
import { peerIdOfRawKey, publicKeyOfRaw, rawPublicKey, type Identity } from './identity.js';
import { type NetworkKey, deriveKey } from './network-key.js';
import type { PeerPolicy } from './peer-policy.js';
import { ReplayGuard, nextCounter } from './replay-guard.js';

/** Why a datagram was not opened. */
export type OpenFailure = 'not-sealed' | 'unknown-key' | 'forged' | 'replayed' | 'stale' | 'not-admitted';

/** An opened PDU and its proven signer, or why it was refused. */
export type OpenResult =
  | { readonly ok: true; readonly pdu: Uint8Array; readonly peerId: string }
  | { readonly ok: false; readonly cause: OpenFailure };

/** Seals and opens PeerPDUs of one network; keeps the replay state. */
export interface PduSealer {
  /** Bytes a sealed datagram adds to its PDU. */
  readonly overhead: number;
  /** The sealed datagram of `pdu`, under the first network key. */
  seal(pdu: Uint8Array): Uint8Array;
  /** Opens a datagram: key, tag, replay, signature, then policy. */
  open(datagram: Uint8Array): OpenResult;
}

const MAGIC = Buffer.from([0x49, 0x4d, 0x53, 0x01]); // "IMS" v1
const KEY_ID_BYTES = 8;
const NONCE_BYTES = 12;
const HEADER_BYTES = MAGIC.length + KEY_ID_BYTES + NONCE_BYTES;
const PUBLIC_KEY_BYTES = 32;
const COUNTER_BYTES = 8;
const SIGNATURE_BYTES = 64;
const TAG_BYTES = 16;
const DOMAIN = Buffer.from('ims peerpdu signature v1\0', 'ascii');
/** Bytes a sealed datagram adds: 24 + 32 + 8 + 64 + 16 = 144. */
export const SEAL_OVERHEAD = HEADER_BYTES + PUBLIC_KEY_BYTES + COUNTER_BYTES + SIGNATURE_BYTES + TAG_BYTES;

/** True when `data` starts with the sealed-PDU magic (a plain peer ignores such datagrams cleanly). */
export function looksSealed(data: Uint8Array): boolean {
  return data.length >= MAGIC.length && MAGIC.every((b, i) => data[i] === b);
}

interface SealingKey {
  readonly id: Buffer;
  readonly aead: Buffer;
}

/** Options of {@link pduSealer}. */
export interface PduSealerOptions {
  readonly identity: Identity;
  /** The first seals; every one opens. */
  readonly keys: readonly NetworkKey[];
  readonly policy: PeerPolicy;
  /** How far a PDU's time may be from ours, and how long a sender's last counter is remembered. @default 60_000 */
  readonly replayWindowMs?: number;
  /** Wall clock in ms (counters compare across machines). @default Date.now */
  readonly now?: () => number;
  /** Senders whose replay state is kept; the least recently heard go first. @default 16_384 */
  readonly maxSenders?: number;
}

/** A sealer whose keys and policy can be replaced (a reloaded key file), its replay state kept. */
export interface ReloadablePduSealer extends PduSealer {
  /** From now on seal with `keys[0]`, open with any of `keys`, admit by `policy`. */
  update(keys: readonly NetworkKey[], policy: PeerPolicy): void;
}

const sealingKeysOf = (keys: readonly NetworkKey[]): SealingKey[] => keys.map((k) => ({ id: Buffer.from(k.id, 'hex'), aead: deriveKey(k, 'ims peerpdu v1') }));

/** A sealer for one identity in one network. */
export function pduSealer(options: PduSealerOptions): ReloadablePduSealer {
  const now = options.now ?? Date.now;
  let keys = sealingKeysOf(options.keys);
  let policy = options.policy;
  const guard = new ReplayGuard(options.replayWindowMs ?? 60_000, now, options.maxSenders ?? 16_384);
  const ownRaw = rawPublicKey(options.identity.publicKey);
  const verifyKeys = new Map<string, KeyObject>();
  let counter = 0;

  const seal = (pdu: Uint8Array): Uint8Array => {
    const key = keys[0];
    if (key === undefined) throw new Error('a sealer needs a network key');
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    MAGIC.copy(header, 0);
    key.id.copy(header, MAGIC.length);
    randomFillSync(header, MAGIC.length + KEY_ID_BYTES, NONCE_BYTES);
    counter = nextCounter(counter, now());
    const counterBytes = Buffer.allocUnsafe(COUNTER_BYTES);
    counterBytes.writeBigUInt64BE(BigInt(counter));
    const signature = sign(null, Buffer.concat([DOMAIN, header, ownRaw, counterBytes, pdu]), options.identity.privateKey);
    // chacha20-poly1305 has GCM's interface (node types it as CCM, whose setAAD wants a length).
    const cipher = createCipheriv('chacha20-poly1305', key.aead, header.subarray(MAGIC.length + KEY_ID_BYTES), { authTagLength: TAG_BYTES }) as unknown as CipherGCM;
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(Buffer.concat([ownRaw, counterBytes, pdu, signature])), cipher.final(), cipher.getAuthTag()]);
    return Buffer.concat([header, body]);
  };

  const verifyKeyOf = (raw: Buffer): KeyObject => {
    const hex = raw.toString('hex');
    let key = verifyKeys.get(hex);
    if (key === undefined) {
      key = publicKeyOfRaw(raw);
      if (verifyKeys.size >= 4096) verifyKeys.clear();
      verifyKeys.set(hex, key);
    }
    return key;
  };

  const verifies = (message: Buffer, raw: Buffer, signature: Buffer): boolean => {
    try {
      return verify(null, message, verifyKeyOf(raw), signature);
    } catch {
      return false; // 32 bytes that are no Ed25519 point: a forgery by a holder of the network key
    }
  };

  const open = (datagram: Uint8Array): OpenResult => {
    if (!looksSealed(datagram) || datagram.length < SEAL_OVERHEAD) return { ok: false, cause: 'not-sealed' };
    const data = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
    const header = data.subarray(0, HEADER_BYTES);
    const keyId = header.subarray(MAGIC.length, MAGIC.length + KEY_ID_BYTES);
    const key = keys.find((k) => k.id.equals(keyId));
    if (key === undefined) return { ok: false, cause: 'unknown-key' };
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('chacha20-poly1305', key.aead, header.subarray(MAGIC.length + KEY_ID_BYTES), { authTagLength: TAG_BYTES }) as unknown as DecipherGCM;
      decipher.setAAD(header);
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      plain = Buffer.concat([decipher.update(data.subarray(HEADER_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      return { ok: false, cause: 'forged' }; // the tag did not verify: no key, or altered bytes
    }
    const raw = plain.subarray(0, PUBLIC_KEY_BYTES);
    const peerId = peerIdOfRawKey(raw);
    const counter = Number(plain.readBigUInt64BE(PUBLIC_KEY_BYTES));
    // Cheap checks first: a replayed datagram costs its AEAD tag, not a signature check (~90 µs).
    const verdict = guard.check(peerId, counter);
    if (verdict !== 'ok') return { ok: false, cause: verdict };
    const signed = plain.subarray(0, plain.length - SIGNATURE_BYTES);
    const signature = plain.subarray(plain.length - SIGNATURE_BYTES);
    if (!verifies(Buffer.concat([DOMAIN, header, signed]), raw, signature)) return { ok: false, cause: 'forged' };
    if (!policy.admits(peerId)) return { ok: false, cause: 'not-admitted' };
    guard.record(peerId, counter);
    return { ok: true, peerId, pdu: plain.subarray(PUBLIC_KEY_BYTES + COUNTER_BYTES, plain.length - SIGNATURE_BYTES) };
  };

  const update = (next: readonly NetworkKey[], nextPolicy: PeerPolicy): void => {
    keys = sealingKeysOf(next);
    policy = nextPolicy;
  };

  return { overhead: SEAL_OVERHEAD, seal, open, update };
}
