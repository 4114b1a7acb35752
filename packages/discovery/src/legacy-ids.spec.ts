import { describe, expect, it } from 'vitest';
import type { PeerPdu } from '@ims/codec';
import { createLegacyIds, endpointId } from './legacy-ids.js';

const hosting = (port: number): PeerPdu => ({ peerId: '', options: [{ type: 'SERVER_OPTION', port }] });
const bare: PeerPdu = { peerId: '', options: [] };
const at = (address: string, port = 55_555) => ({ address, port });

describe('legacy IDs (docs/protocol.md §3.7, §7.6)', () => {
  it('names a server by its endpoint, IPv6 in brackets', () => {
    expect(endpointId('192.168.1.20', 8_000)).toBe('192.168.1.20:8000');
    expect(endpointId('fe80::1', 8_000)).toBe('[fe80::1]:8000');
  });

  it('files a PDU without SERVER_OPTION under the server last heard from that UDP source, and only there', () => {
    const ids = createLegacyIds(10);
    expect(ids.resolve(bare, at('10.0.0.1'))).toBeUndefined();
    expect(ids.resolve(hosting(8_000), at('10.0.0.1'))).toBe('10.0.0.1:8000');
    expect(ids.resolve(bare, at('10.0.0.1'))).toBe('10.0.0.1:8000');
    expect(ids.resolve(bare, at('10.0.0.1', 40_000))).toBeUndefined();
    expect(ids.resolve(bare, at('10.0.0.2'))).toBeUndefined();
  });

  it('never names a client: CLIENT_NICK or CLIENT_MEMBERSHIP with an empty ID is dropped', () => {
    const ids = createLegacyIds(10);
    ids.resolve(hosting(8_000), at('10.0.0.1'));
    expect(ids.resolve({ peerId: '', options: [{ type: 'CLIENT_NICK', nick: 'bob' }] }, at('10.0.0.1'))).toBeUndefined();
    expect(ids.resolve({ peerId: '', options: [{ type: 'SERVER_OPTION', port: 8_000 }, { type: 'CLIENT_MEMBERSHIP', servers: [] }] }, at('10.0.0.1'))).toBeUndefined();
  });

  it('remembers at most maxSources sources, forgetting the stalest first', () => {
    const ids = createLegacyIds(2);
    ids.resolve(hosting(8_000), at('10.0.0.1'));
    ids.resolve(hosting(8_000), at('10.0.0.2'));
    ids.resolve(hosting(8_001), at('10.0.0.1')); // heard again: now the freshest
    ids.resolve(hosting(8_000), at('10.0.0.3'));
    expect(ids.resolve(bare, at('10.0.0.2'))).toBeUndefined();
    expect(ids.resolve(bare, at('10.0.0.1'))).toBe('10.0.0.1:8001');
    expect(ids.resolve(bare, at('10.0.0.3'))).toBe('10.0.0.3:8000');
  });
});
