import { EMPTY } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { hostDiscovery, toHostPeers, type DiscoveryLike, type PrivateInviteDelivery } from './host-discovery.js';

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

describe('hostDiscovery invitations (docs/protocol.md §3.8, §8)', () => {
  function setup() {
    const announced: [string, readonly string[]][] = [];
    const delivered: Parameters<PrivateInviteDelivery['send']>[0][] = [];
    const addresses = new Map([['bob', '10.0.0.2'], ['carol', '10.0.0.3']]);
    const discovery: DiscoveryLike = {
      lobby$: EMPTY,
      setServer: () => undefined,
      invite: (channel, ids) => void announced.push([channel, ids]),
      peer: (id) => (addresses.has(id) ? { address: addresses.get(id) as string } : undefined),
    };
    const host = hostDiscovery(discovery, { privateInvites: { send: (i) => void delivered.push(i) } });
    return { host, announced, delivered };
  }

  it('multicasts a public channel’s invitation, and delivers a private one by TCP to each invitee discovery knows', () => {
    const { host, announced, delivered } = setup();
    host.setServer({ port: 50_500, channels: [] });
    host.invite('#room', ['bob']);
    host.invite('@team', ['bob', 'carol', 'mallory']);
    expect(announced).toEqual([['#room', ['bob']]]);
    expect(delivered).toEqual([
      { channel: '@team', serverPort: 50_500, invitees: [{ id: 'bob', address: '10.0.0.2' }, { id: 'carol', address: '10.0.0.3' }] },
    ]);
  });

  it('never multicasts a private name, even without a way to deliver it or before hosting', () => {
    const { host, announced, delivered } = setup();
    host.invite('@team', ['bob']);
    expect(announced).toEqual([]);
    expect(delivered).toEqual([]);
  });
});
