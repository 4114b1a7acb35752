import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatNetworkKeys, generateNetworkKey } from '@ims/secure';
import { defaultIdentityFile, parseCommandLine, parseInvocation } from './config.js';

describe('peer-client configuration in secure mode', () => {
  let dir: string;
  let keyFile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ims-peer-secure-'));
    keyFile = join(dir, 'network.key');
    writeFileSync(keyFile, formatNetworkKeys([generateNetworkKey()]), { mode: 0o600 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('derives the peer ID (and the default nick) from the identity file, made on first use', () => {
    const identityFile = join(dir, 'me.key');
    const a = parseInvocation(['--network-key-file', keyFile, '--identity-file', identityFile, 'lobby'], undefined, {});
    expect(a.config.id).toMatch(/^k[a-z2-7]{52}$/);
    expect(a.config.secure?.identity.peerId).toBe(a.config.id);
    expect(a.config.nick).toBe(a.config.id.slice(0, 8));
    expect(parseInvocation(['lobby'], undefined, { IMS_NETWORK_KEY_FILE: keyFile, IMS_IDENTITY_FILE: identityFile }).config.id).toBe(a.config.id);
  });

  it('keeps the identity under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(defaultIdentityFile({ XDG_CONFIG_HOME: '/x' })).toBe('/x/ims/identity.key');
    expect(defaultIdentityFile({ HOME: '/home/ann' })).toBe('/home/ann/.config/ims/identity.key');
    const inv = parseInvocation(['--network-key-file', keyFile, 'lobby'], undefined, { XDG_CONFIG_HOME: dir });
    const again = parseInvocation(['--network-key-file', keyFile, 'lobby'], undefined, { XDG_CONFIG_HOME: dir });
    expect(inv.config.id).toBe(again.config.id);
  });

  it('refuses --id in secure mode and stays in plain mode without a key file', () => {
    expect(() => parseInvocation(['--network-key-file', keyFile, '--id', 'ann', 'lobby'], undefined, { XDG_CONFIG_HOME: dir })).toThrow(/drop --id/);
    expect(parseInvocation(['--id', 'ann', 'lobby'], undefined, {}).config.secure).toBeUndefined();
  });

  it('parses keygen and its rotation steps, and id', () => {
    expect(parseCommandLine(['keygen', 'k.key'], undefined, {})).toEqual({ mode: 'keygen', file: 'k.key', step: 'new' });
    expect(parseCommandLine(['keygen', '--next', 'k.key'], undefined, {})).toMatchObject({ step: 'next' });
    expect(parseCommandLine(['keygen', '--promote', 'k.key'], undefined, {})).toMatchObject({ step: 'promote' });
    expect(parseCommandLine(['keygen', '--retire', 'k.key'], undefined, {})).toMatchObject({ step: 'retire' });
    expect(() => parseCommandLine(['keygen', '--next', '--retire', 'k.key'], { out: () => undefined, err: () => undefined }, {})).toThrow();
    expect(parseCommandLine(['id', '--identity-file', '/tmp/i.key'], undefined, {})).toEqual({ mode: 'id', identityFile: '/tmp/i.key' });
    expect(parseCommandLine(['id'], undefined, { XDG_CONFIG_HOME: '/cfg' })).toEqual({ mode: 'id', identityFile: '/cfg/ims/identity.key' });
  });
});
