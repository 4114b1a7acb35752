import { describe, expect, it } from 'vitest';
import type { Lobby, LobbyServer, PeerInfo } from '@ims/discovery';
import { parseStandbyFor, planReplicas, shouldLeave, type PlanContext } from './plan-replicas.js';

function server(id: string, channels: string[], state: LobbyServer['state'] = 'alive', port = 50_000): LobbyServer {
  return { id, endpoint: { address: '127.0.0.1', port }, channels, isDedicatedServer: true, state, lastSeen: 0 };
}

function client(id: string, memberships: { serverId: string; channels: string[] }[]): PeerInfo {
  return {
    id,
    address: '127.0.0.1',
    nick: id,
    memberships,
    server: undefined,
    channels: [],
    isDedicatedServer: false,
    state: 'alive',
    lastSeen: 0,
  };
}

function lobby(servers: LobbyServer[], peers: PeerInfo[]): Lobby {
  return { peers, clients: [], servers, invitations: [] };
}

const ctx = (over: Partial<PlanContext> = {}): PlanContext => ({ selfId: 'me', watch: 'all', selfHosted: new Set(), ...over });

describe('parseStandbyFor', () => {
  it('maps an empty list to off, "all" to all, and IDs to a set', () => {
    expect(parseStandbyFor([])).toBeUndefined();
    expect(parseStandbyFor(['all'])).toBe('all');
    expect(parseStandbyFor(['a', 'b'])).toEqual(new Set(['a', 'b']));
  });
});

describe('planReplicas', () => {
  it('follows public channels of watched alive servers that have other members', () => {
    const l = lobby(
      [server('A', ['#a', '#quiet'], 'alive', 50_001), server('B', ['#b'], 'alive', 50_002)],
      [client('u1', [{ serverId: 'A', channels: ['#a'] }]), client('u2', [{ serverId: 'B', channels: ['#b'] }])],
    );
    expect(planReplicas(l, ctx())).toEqual(
      new Map([
        ['#a', { peerId: 'A', address: '127.0.0.1', port: 50_001 }],
        ['#b', { peerId: 'B', address: '127.0.0.1', port: 50_002 }],
      ]),
    );
    expect([...planReplicas(l, ctx({ watch: new Set(['B']) })).keys()]).toEqual(['#b']);
  });

  it('skips itself, silent servers, private names and channels it hosts', () => {
    const members = [client('u', [{ serverId: 'x', channels: ['#a', '#b', '#c', '@p', '#mine'] }])];
    const l = lobby([server('me', ['#a']), server('S', ['#b'], 'maybeDisconnected'), server('T', ['@p', '#c', '#mine'])], members);
    expect([...planReplicas(l, ctx({ selfHosted: new Set(['#mine']) })).keys()]).toEqual(['#c']);
  });

  it('ignores memberships this box announces itself', () => {
    const l = lobby([server('A', ['#a'])], [client('me', [{ serverId: 'A', channels: ['#a'] }])]);
    expect(planReplicas(l, ctx()).size).toBe(0);
  });

  it('picks the smallest server ID when two announce the same channel', () => {
    const l = lobby([server('Z', ['#a'], 'alive', 50_009), server('B', ['#a'], 'alive', 50_002)], [client('u', [{ serverId: 'Z', channels: ['#a'] }])]);
    expect(planReplicas(l, ctx()).get('#a')?.peerId).toBe('B');
  });
});

describe('shouldLeave', () => {
  const members = [client('u', [{ serverId: 'A', channels: ['#a'] }])];
  it('stays while the watched server is silent, so the session can fail over', () => {
    expect(shouldLeave('#a', lobby([server('A', ['#a'], 'disconnected')], members), ctx())).toBe(false);
  });
  it('leaves after a takeover and when no other member is left', () => {
    expect(shouldLeave('#a', lobby([], members), ctx({ selfHosted: new Set(['#a']) }))).toBe(true);
    expect(shouldLeave('#a', lobby([server('A', ['#a'])], []), ctx())).toBe(true);
  });
});
