import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatNetworkKeys, generateIdentity, generateNetworkKey } from '@ims/secure';
import { IDENTITY_FILE, parseServerConfig } from './config.js';

describe('parseServerConfig in secure mode', () => {
  let dir: string;
  let keyFile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ims-secure-config-'));
    keyFile = join(dir, 'network.key');
    writeFileSync(keyFile, formatNetworkKeys([generateNetworkKey()]), { mode: 0o600 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the peer ID from the identity kept in --data-dir, the same after a restart', () => {
    const dataDir = join(dir, 'data');
    const a = parseServerConfig(['--network-key-file', keyFile, '--data-dir', dataDir], {});
    expect(a.secure?.identity.peerId).toBe(a.id);
    expect(a.id).toMatch(/^k[a-z2-7]{52}$/);
    expect(parseServerConfig([], { IMS_NETWORK_KEY_FILE: keyFile, IMS_DATA_DIR: dataDir }).id).toBe(a.id);
    expect(parseServerConfig(['--network-key-file', keyFile, '--identity-file', join(dataDir, IDENTITY_FILE)], {}).id).toBe(a.id);
  });

  it('runs with a fresh identity without --data-dir or --identity-file', () => {
    const a = parseServerConfig(['--network-key-file', keyFile], {});
    const b = parseServerConfig(['--network-key-file', keyFile], {});
    expect(a.id).not.toBe(b.id);
    expect(parseServerConfig([], {}).secure).toBeUndefined();
  });

  it('refuses --id, --workers and a key file others can read, saying what to do', () => {
    expect(() => parseServerConfig(['--network-key-file', keyFile, '--id', 'box-1'], {})).toThrow(/drop --id/);
    expect(() => parseServerConfig(['--network-key-file', keyFile, '--workers', '2'], {})).toThrow(/not available in secure mode/);
    chmodSync(keyFile, 0o644);
    expect(() => parseServerConfig(['--network-key-file', keyFile], {})).toThrow(/chmod 600/);
    expect(() => parseServerConfig(['--network-key-file', join(dir, 'missing')], {})).toThrow(expect.objectContaining({ code: 'KEY_FILE_UNREADABLE' }));
  });

  it('reads the allow-list and the revoked list, admitting itself', () => {
    const stranger = generateIdentity().peerId;
    const friend = generateIdentity().peerId;
    writeFileSync(join(dir, 'allow'), `${friend}\n`);
    writeFileSync(join(dir, 'revoked'), `${stranger}\n`);
    const c = parseServerConfig(['--network-key-file', keyFile, '--allow-peers-file', join(dir, 'allow'), '--revoked-peers-file', join(dir, 'revoked')], {});
    expect([c.id, friend, stranger, generateIdentity().peerId].map((id) => c.secure?.policy.admits(id))).toEqual([true, true, false, false]);
    writeFileSync(join(dir, 'bad'), 'not-an-id\n');
    expect(() => parseServerConfig(['--network-key-file', keyFile, '--allow-peers-file', join(dir, 'bad')], {})).toThrow(/bad:1/);
  });
});
