import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readNetworkKeyFile } from '@ims/secure';
import { runKeygen } from './keygen.js';

describe('keygen', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ims-keygen-'));
    file = join(dir, 'network.key');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a new key file with mode 0600 and never overwrites one', () => {
    const made = runKeygen(file, 'new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readNetworkKeyFile(file).map((k) => k.id)).toEqual(made.keyIds);
    expect(made.message).toContain('--network-key-file');
    const before = readFileSync(file, 'utf8');
    expect(() => runKeygen(file, 'new')).toThrow(/exists: .*--next/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('rotates in three steps: add as accepted, promote, retire', () => {
    const [old] = runKeygen(file, 'new').keyIds;
    const added = runKeygen(file, 'next').keyIds;
    expect(added[0]).toBe(old);
    expect(added).toHaveLength(2);
    const fresh = added[1];
    expect(runKeygen(file, 'promote').keyIds).toEqual([fresh, old]);
    expect(runKeygen(file, 'retire').keyIds).toEqual([fresh]);
    expect(readNetworkKeyFile(file).map((k) => k.id)).toEqual([fresh]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() => runKeygen(file, 'promote')).toThrow(/run keygen --next first/);
    expect(() => runKeygen(file, 'retire')).toThrow(/nothing to retire/);
  });

  it('says what is wrong with a missing file', () => {
    expect(() => runKeygen(join(dir, 'nope'), 'next')).toThrow(expect.objectContaining({ code: 'KEY_FILE_UNREADABLE' }));
  });
});
