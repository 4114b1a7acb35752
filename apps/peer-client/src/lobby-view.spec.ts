import { describe, expect, it } from 'vitest';
import { lobbyToJson, nameOf, renderLobby, resolvePeer } from './lobby-view.js';
import type { LobbySnapshot } from './peer-node.js';

const lobby: LobbySnapshot = {
  selfId: 'me',
  peers: [
    { id: 'z-srv', address: '127.0.0.2', state: 'alive', serverPort: 50_001, channels: ['#b', '#a'] },
    { id: 'b1', nick: 'bob', address: '127.0.0.1', state: 'maybeDisconnected', channels: [] },
    { id: 'b2', nick: 'bob', address: '127.0.0.1', state: 'alive', serverPort: 50_002, channels: [] },
    { id: 'c', nick: 'carol', address: '127.0.0.1', state: 'alive', channels: [] },
  ],
  invitations: [{ channel: '@secret', serverId: 'z-srv' }],
};

describe('lobby view', () => {
  it('renders people, servers with sorted channels, and invitations', () => {
    expect(renderLobby(lobby).split('\n')).toEqual([
      'Online (3):',
      '  bob (b1) [maybeDisconnected]',
      '  bob (b2)',
      '  carol (c)',
      'Servers (2):',
      '  bob (b2) at 127.0.0.1:50002: no public channels',
      '  z-srv at 127.0.0.2:50001: #a #b',
      'Invitations (1):',
      '  @secret on z-srv  (/join @secret z-srv)',
    ]);
    expect(renderLobby({ selfId: 'me', peers: [], invitations: [] })).toBe('Online (0): nobody else yet\nServers (0): none seen');
  });

  it('gives a deterministic JSON snapshot', () => {
    const j = lobbyToJson(lobby, 42);
    expect(j.peers.map((p) => p.id)).toEqual(['b1', 'b2', 'c', 'z-srv']);
    expect(j.peers[3]).toEqual({ id: 'z-srv', nick: null, name: null, address: '127.0.0.2', state: 'alive', port: 50_001, channels: ['#a', '#b'] });
    expect(j).toMatchObject({ event: 'lobby', ts: 42, self: 'me', invitations: [{ channel: '@secret', serverId: 'z-srv' }] });
  });

  it("shows a dedicated server by its announced name, and resolves that name (docs/protocol.md §3.7)", () => {
    const named: LobbySnapshot = { ...lobby, peers: [...lobby.peers, { id: 'uuid-1', name: 'server-a', address: '127.0.0.3', state: 'alive', serverPort: 50_003, channels: [] }] };
    expect(renderLobby(named)).toContain('  server-a (uuid-1) at 127.0.0.3:50003: no public channels');
    expect(renderLobby(named)).not.toContain('Online (4)');
    expect(resolvePeer(named, 'server-a')).toEqual({ ok: true, id: 'uuid-1' });
    expect(nameOf(named, 'uuid-1')).toBe('server-a');
    expect(lobbyToJson(named, 1).peers.find((p) => p.id === 'uuid-1')).toMatchObject({ nick: null, name: 'server-a' });
  });

  it('resolves IDs first, unique nicks next, and refuses ambiguous or unknown names', () => {
    expect(resolvePeer(lobby, 'c')).toEqual({ ok: true, id: 'c' });
    expect(resolvePeer(lobby, 'carol')).toEqual({ ok: true, id: 'c' });
    expect(resolvePeer(lobby, 'me')).toEqual({ ok: true, id: 'me' });
    expect(resolvePeer(lobby, 'bob')).toMatchObject({ ok: false, message: expect.stringContaining('b1, b2') });
    expect(resolvePeer(lobby, 'dave')).toMatchObject({ ok: false });
    // A server known only from an invitation delivered by TCP (docs/protocol.md §3.8).
    expect(resolvePeer({ ...lobby, invitations: [{ channel: '#Gruppe5', serverId: '127.0.0.5:8000' }] }, '127.0.0.5:8000')).toEqual({ ok: true, id: '127.0.0.5:8000' });
    expect(nameOf(lobby, 'c')).toBe('carol');
    expect(nameOf(lobby, 'unknown')).toBe('unknown');
  });
});
