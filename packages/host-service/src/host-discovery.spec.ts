import { describe, expect, it } from 'vitest';
import { toHostPeers } from './host-discovery.js';

describe('toHostPeers', () => {
  it('maps discovery views to the host reducer PeerInfo: a suspect stays alive (docs/protocol.md §5.1)', () => {
    const peers = toHostPeers([
      { id: 's', address: '10.0.0.1', nick: undefined, server: { address: '10.0.0.1', port: 50_000 }, channels: ['#a', '#b'], isDedicatedServer: true, state: 'alive' },
      { id: 'c', address: '10.0.0.2', nick: 'bob', server: undefined, channels: [], isDedicatedServer: false, state: 'maybeDisconnected' },
      { id: 'd', address: '10.0.0.3', nick: 'eve', server: { address: '10.0.0.3', port: 50_001 }, channels: [], isDedicatedServer: false, state: 'disconnected' },
    ]);
    expect(peers).toEqual([
      { id: 's', address: '10.0.0.1', canHost: true, dedicated: true, hostedChannels: 2, channels: ['#a', '#b'], isClient: false, alive: true, suspected: false },
      { id: 'c', address: '10.0.0.2', canHost: false, dedicated: false, hostedChannels: 0, channels: [], isClient: true, alive: true, suspected: true },
      { id: 'd', address: '10.0.0.3', canHost: true, dedicated: false, hostedChannels: 0, channels: [], isClient: true, alive: false, suspected: false },
    ]);
  });
});
