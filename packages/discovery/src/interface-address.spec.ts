import { describe, expect, it } from 'vitest';
import { interfaceAddress } from './udp-port.js';

describe('interfaceAddress', () => {
  it('takes an IPv4 address as it is and resolves an interface name to its IPv4 address', () => {
    expect(interfaceAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(interfaceAddress('lo')).toBe('127.0.0.1');
  });

  it('names an unknown interface in a typed error', () => {
    expect(() => interfaceAddress('no-such-if0')).toThrow(expect.objectContaining({ code: 'UNKNOWN_INTERFACE' }));
  });
});
