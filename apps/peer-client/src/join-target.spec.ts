import type { Lobby, LobbyServer } from '@ims/discovery';
import { describe, expect, it } from 'vitest';
import { dedicatedServer, hostOf, serverNamed } from './join-target.js';

const server = (id: string, port: number, channels: string[], state: LobbyServer['state'] = 'alive'): LobbyServer => ({
  id,
  endpoint: { address: '127.0.0.1', port },
  channels,
  isDedicatedServer: false,
  state,
  lastSeen: 0,
});

const lobby: Lobby = {
  peers: [],
  clients: [
    { id: 'b', nick: 'bob', address: '127.0.0.1', memberships: [], state: 'alive', lastSeen: 0 },
    { id: 'x', nick: 'xena', address: '127.0.0.1', memberships: [], state: 'alive', lastSeen: 0 },
  ],
  servers: [server('a', 50_001, ['#r'], 'maybeDisconnected'), server('b', 50_002, ['#r', '#s']), server('c', 50_003, ['#r']), server('d', 50_004, [], 'disconnected')],
  invitations: [{ serverId: 'z', channel: '#inv', endpoint: { address: '10.0.0.9', port: 50_009 }, receivedAt: 0 }],
};

describe('join targets', () => {
  it('joins the smallest-ID alive host announcing the channel, else an invitation, else nothing', () => {
    expect(hostOf(lobby, '#r')).toEqual({ peerId: 'b', address: '127.0.0.1', port: 50_002 });
    expect(hostOf(lobby, '#inv')).toEqual({ peerId: 'z', address: '10.0.0.9', port: 50_009 });
    expect(hostOf(lobby, '#none')).toBeUndefined();
  });

  it('finds a named server by ID or by the nick of a hosting peer, never a disconnected one', () => {
    expect(serverNamed(lobby, 'c')).toEqual({ peerId: 'c', address: '127.0.0.1', port: 50_003 });
    expect(serverNamed(lobby, 'bob')).toEqual({ peerId: 'b', address: '127.0.0.1', port: 50_002 });
    expect(serverNamed(lobby, 'xena')).toBeUndefined();
    expect(serverNamed(lobby, 'd')).toBeUndefined();
    expect(serverNamed(lobby, 'a')).toMatchObject({ peerId: 'a' });
  });

  it('creates a new channel on the smallest-ID alive dedicated server, else nowhere (the own host)', () => {
    expect(dedicatedServer(lobby)).toBeUndefined();
    const dedicated = (id: string, state: LobbyServer['state'] = 'alive'): LobbyServer => ({ ...server(id, 50_100, []), isDedicatedServer: true, state });
    const withServers: Lobby = { ...lobby, servers: [dedicated('m', 'maybeDisconnected'), dedicated('n'), dedicated('o'), ...lobby.servers] };
    expect(dedicatedServer(withServers)).toEqual({ peerId: 'n', address: '127.0.0.1', port: 50_100 });
  });

  it('finds a server by its announced name', () => {
    const named: Lobby = { ...lobby, servers: [...lobby.servers, { ...server('uuid-9', 50_009, []), isDedicatedServer: true, name: 'server-a' }] };
    expect(serverNamed(named, 'server-a')).toEqual({ peerId: 'uuid-9', address: '127.0.0.1', port: 50_009 });
  });

  it('finds the server of an invitation by its ID when the lobby lists no such server (an invitation delivered by TCP)', () => {
    expect(serverNamed(lobby, 'z')).toEqual({ peerId: 'z', address: '10.0.0.9', port: 50_009 });
  });
});
