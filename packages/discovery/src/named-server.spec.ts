import type { PduOption, PeerPdu } from '@ims/codec';
import { describe, expect, it } from 'vitest';
import { lobbyOf } from './lobby.js';
import { EMPTY_OWN_STATE, ownPdu } from './own-state.js';
import { applyPdu, createPeerTable, toPeerInfo } from './peer-table.js';

const from = { address: '10.0.0.1', port: 55_555 };
const pdu = (peerId: string, ...options: PduOption[]): PeerPdu => ({ peerId, options });
const nick = (n: string): PduOption => ({ type: 'CLIENT_NICK', nick: n });
const server = (port: number): PduOption => ({ type: 'SERVER_OPTION', port });
const member: PduOption = { type: 'CLIENT_MEMBERSHIP', servers: [] };
const table = () => createPeerTable({ selfId: 'me', intervalMs: 1_000, graceMs: 0 });
const info = (t: ReturnType<typeof table>, id: string) => {
  const e = t.peers.get(id);
  if (!e) throw new Error(`no ${id}`);
  return toPeerInfo(e);
};

describe('named dedicated servers (docs/protocol.md §3.7)', () => {
  it('CLIENT_NICK from a host that never sent CLIENT_MEMBERSHIP is its name: dedicated, no client, and its empty PDU still ends hosting', () => {
    const t = table();
    applyPdu(t, pdu('srv', nick('server-a'), server(50_000)), from, 0);
    expect(info(t, 'srv')).toMatchObject({ nick: undefined, name: 'server-a', isDedicatedServer: true });
    const lobby = lobbyOf(t);
    expect(lobby.clients).toEqual([]);
    expect(lobby.servers[0]).toMatchObject({ id: 'srv', name: 'server-a', isDedicatedServer: true });
    expect(info(t, 'srv')).not.toHaveProperty('sentMembership');
    // The stop: the empty PDU of a host without a client nick ends hosting at once, and it stays a name.
    const events = applyPdu(t, pdu('srv'), from, 100);
    expect(events.map((e) => e.kind)).toContain('serverChanged');
    expect(info(t, 'srv')).toMatchObject({ server: undefined, nick: undefined, name: 'server-a' });
  });

  it('a client with its own host (CLIENT_MEMBERSHIP, ever) stays a client; so does a client without a host', () => {
    const t = table();
    applyPdu(t, pdu('bob', nick('bob'), member, server(50_001)), from, 0);
    applyPdu(t, pdu('bob', nick('bob'), server(50_001)), from, 10);
    expect(info(t, 'bob')).toMatchObject({ nick: 'bob', name: undefined, isDedicatedServer: false });
    applyPdu(t, pdu('java', nick('Ann')), { address: '10.0.0.2', port: 55_555 }, 0);
    expect(info(t, 'java')).toMatchObject({ nick: 'Ann', name: undefined });
    applyPdu(t, pdu('plain', server(50_002)), { address: '10.0.0.3', port: 55_555 }, 0);
    expect(info(t, 'plain')).toMatchObject({ nick: undefined, name: undefined, isDedicatedServer: true });
  });

  it('announces a server name as CLIENT_NICK without CLIENT_MEMBERSHIP, only while hosting; a nick wins', () => {
    const named = { ...EMPTY_OWN_STATE, serverName: 'server-a', server: { port: 50_000, channels: ['#ops'] } };
    expect(ownPdu('srv', named).options).toEqual([nick('server-a'), server(50_000), { type: 'SERVER_CHANNELS', channels: ['#ops'] }]);
    expect(ownPdu('srv', { ...named, server: undefined }).options).toEqual([]);
    expect(ownPdu('srv', { ...named, nick: 'alice' }).options[0]).toEqual(nick('alice'));
  });
});
