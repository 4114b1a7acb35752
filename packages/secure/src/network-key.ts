/**
 * The network key: 32 random bytes every member of a secure network holds (docs/security.md "Key
 * formats"). Everything secret-keyed derives from it by HKDF-SHA256 (RFC 5869) with a distinct
 * `info` per use, so one key never serves two purposes.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { SecureError } from './secure-error.js';

/** One network key and its public identifier. */
export interface NetworkKey {
  /** 16 hex digits derived from the secret: names the key in sealed PDUs and certificates, reveals nothing of it. */
  readonly id: string;
  /** The 32 secret bytes. */
  readonly secret: Buffer;
}

const KEY_BYTES = 32;
const LINE_TAG = 'ims-network-key-v1';

/** HKDF-SHA256 of the network key for one purpose (`info`), `length` bytes. */
export function deriveKey(key: NetworkKey, info: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', key.secret, Buffer.alloc(0), info, length));
}

function keyOf(secret: Buffer): NetworkKey {
  const id = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'ims key id v1', 8)).toString('hex');
  return Object.freeze({ id, secret });
}

/** A fresh random network key. */
export function generateNetworkKey(): NetworkKey {
  return keyOf(randomBytes(KEY_BYTES));
}

/** The key file's text: one `ims-network-key-v1 <base64url>` line per key, the sealing one first. */
export function formatNetworkKeys(keys: readonly NetworkKey[]): string {
  const lines = keys.map((k) => `${LINE_TAG} ${k.secret.toString('base64url')}`);
  return `# ims network key file: keep it secret (mode 0600). The first key seals; all are accepted.\n${lines.join('\n')}\n`;
}

/** Parses a key file's text (`#` comments and blank lines allowed); throws SecureError BAD_KEY_FILE naming `source` and the line. */
export function parseNetworkKeys(text: string, source: string): NetworkKey[] {
  const keys: NetworkKey[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [tag, value, ...rest] = line.split(/\s+/);
    const secret = value === undefined ? undefined : Buffer.from(value, 'base64url');
    if (tag !== LINE_TAG || rest.length > 0 || secret?.length !== KEY_BYTES || secret.toString('base64url') !== value) {
      throw new SecureError('BAD_KEY_FILE', `${source}:${index + 1}: not a network key line (expected "${LINE_TAG} <43 base64url characters>"); make a key file with \`ims keygen FILE\``);
    }
    if (!keys.some((k) => k.secret.equals(secret))) keys.push(keyOf(secret));
  });
  if (keys.length === 0) throw new SecureError('BAD_KEY_FILE', `${source} holds no network key; make one with \`ims keygen FILE\``);
  return keys;
}

/** Reads and parses a key file; refuses one that every user of the machine may read (like OpenSSH with private keys). */
export function readNetworkKeyFile(path: string): NetworkKey[] {
  let text: string;
  let mode: number;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new SecureError('KEY_FILE_UNREADABLE', `cannot read the network key file ${path} (${code}); check the path and that this user may read it`, { cause: err });
  }
  if ((mode & 0o007) !== 0) {
    throw new SecureError('BAD_KEY_FILE', `the network key file ${path} is open to every user of this machine (mode ${(mode & 0o777).toString(8)}); run \`chmod 600 ${path}\``);
  }
  return parseNetworkKeys(text, path);
}
