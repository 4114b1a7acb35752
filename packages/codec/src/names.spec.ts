import { describe, expect, it } from 'vitest';
import { MAX_CHANNEL_NAME_BYTES, MAX_CONFIGURED_PEER_ID_LENGTH } from './constants.js';
import { compareIds, isPrivateChannel, isPublicChannel, isValidChannelName, isValidConfiguredPeerId, isValidPeerId } from './names.js';

describe('name rules', () => {
  it.each([
    ['#lobby', true, true, false],
    ['@team', true, false, true],
    ['#a-b_c.d/1', true, true, false],
    ['#', false, false, false],
    ['@', false, false, false],
    ['lobby', false, false, false],
    ['#a b', false, false, false],
    ['#café', false, false, false],
    ['#a\0', false, false, false],
    ['', false, false, false],
  ])('%j: valid %s, public %s, private %s', (name, valid, pub, priv) => {
    expect(isValidChannelName(name)).toBe(valid);
    expect(isPublicChannel(name)).toBe(pub);
    expect(isPrivateChannel(name)).toBe(priv);
  });

  it('caps channel names at MAX_CHANNEL_NAME_BYTES (docs/protocol.md §1.1), public and private alike', () => {
    for (const prefix of ['#', '@']) {
      const longest = prefix + 'x'.repeat(MAX_CHANNEL_NAME_BYTES - 1);
      expect(isValidChannelName(longest)).toBe(true);
      expect(isValidChannelName(longest + 'x')).toBe(false);
      expect(isValidChannelName(prefix + 'x'.repeat(1_499))).toBe(false);
    }
    expect(isPublicChannel(`#${'x'.repeat(MAX_CHANNEL_NAME_BYTES)}`)).toBe(false);
    expect(isPrivateChannel(`@${'x'.repeat(MAX_CHANNEL_NAME_BYTES)}`)).toBe(false);
  });

  it.each([
    ['5f0c6a2e-9d1b-4c3a-8e7f-2b1d0c9a8e7f', true],
    ['127.0.0.1:50000', true],
    ['x', true],
    ['', false],
    ['a b', false],
    ['ä', false],
    ['a\0', false],
  ])('peer ID %j valid: %s', (id, valid) => {
    expect(isValidPeerId(id)).toBe(valid);
  });

  it('caps configured peer IDs at MAX_CONFIGURED_PEER_ID_LENGTH, the wire rule does not', () => {
    const longest = 'x'.repeat(MAX_CONFIGURED_PEER_ID_LENGTH);
    expect(isValidConfiguredPeerId(longest)).toBe(true);
    expect(isValidConfiguredPeerId(longest + 'x')).toBe(false);
    expect(isValidPeerId(longest + 'x')).toBe(true);
    expect(isValidConfiguredPeerId('')).toBe(false);
    expect(isValidConfiguredPeerId('a b')).toBe(false);
  });

  it('orders peer IDs by byte order, not by locale', () => {
    expect(['b', 'B', 'a', '_', 'aa'].sort(compareIds)).toEqual(['B', '_', 'a', 'aa', 'b']);
    expect(compareIds('x', 'x')).toBe(0);
  });
});
