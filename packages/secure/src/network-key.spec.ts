import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatNetworkKeys, generateNetworkKey, parseNetworkKeys, readNetworkKeyFile } from './network-key.js';

describe('network key file', () => {
  it('round-trips several keys in order, the sealing one first', () => {
    const keys = [generateNetworkKey(), generateNetworkKey()];
    const parsed = parseNetworkKeys(formatNetworkKeys(keys), 'keys');
    expect(parsed.map((k) => k.id)).toEqual(keys.map((k) => k.id));
    expect(parsed[0]?.secret.equals(keys[0]!.secret)).toBe(true);
    expect(keys[0]!.id).toMatch(/^[0-9a-f]{16}$/);
    expect(keys[0]!.id).not.toBe(keys[1]!.id);
  });

  it('names the file and line of a bad line, and refuses a file without keys', () => {
    const good = formatNetworkKeys([generateNetworkKey()]);
    expect(() => parseNetworkKeys(`${good}ims-network-key-v1 short\n`, 'k.txt')).toThrow(/k\.txt:3: not a network key line/);
    expect(() => parseNetworkKeys('# nothing\n\n', 'k.txt')).toThrow(expect.objectContaining({ code: 'BAD_KEY_FILE' }));
    expect(() => parseNetworkKeys(good.replace('ims-network-key-v1', 'ssh-ed25519'), 'k.txt')).toThrow(/k\.txt:2/);
  });

  it('keeps a key listed twice once', () => {
    const key = generateNetworkKey();
    expect(parseNetworkKeys(formatNetworkKeys([key, key]), 'k')).toHaveLength(1);
  });

  it('reads a 0600 file, refuses one every user may read, and says how to fix a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ims-key-'));
    const path = join(dir, 'network.key');
    writeFileSync(path, formatNetworkKeys([generateNetworkKey()]), { mode: 0o600 });
    expect(readNetworkKeyFile(path)).toHaveLength(1);
    chmodSync(path, 0o644);
    expect(() => readNetworkKeyFile(path)).toThrow(/chmod 600/);
    expect(() => readNetworkKeyFile(join(dir, 'missing'))).toThrow(expect.objectContaining({ code: 'KEY_FILE_UNREADABLE' }));
  });
});
