import { type ClientCommand, type ServerCommand, clientSideDecoder, serverSideDecoder } from '@ims/codec';
import { describe, expect, it } from 'vitest';
import { Accepted } from '../test/probe.js';
import { memoryTransport } from './memory-transport.js';
import { virtualTime } from './virtual-time.js';

const HOST = 'khost';
const MEMBER = 'kmember';

/** A host view proving `hostPeerId` (null: a plain one) listening, and the network to dial it from. */
async function setup(hostPeerId: string | null = HOST) {
  const vt = virtualTime();
  const net = memoryTransport({ scheduler: vt.scheduler });
  const host = net.at('10.0.0.1', { peerId: hostPeerId ?? undefined });
  const listener = await host.listen<ClientCommand>({ decoder: () => serverSideDecoder() });
  const accepted = new Accepted(listener);
  const dial = (from: typeof net, expectPeerId?: string) =>
    vt.until(from.dial<ServerCommand>({ host: listener.address, port: listener.port, decoder: () => clientSideDecoder(), expectPeerId }));
  return { vt, net, host, listener, accepted, dial };
}

describe('memoryTransport proven peer IDs (secure mode in memory)', () => {
  it('shows each end the peer ID the other view proves', async () => {
    const { vt, net, host, accepted, dial } = await setup();
    const member = net.at('10.0.0.2', { peerId: MEMBER });
    expect([host.peerId, member.peerId]).toEqual([HOST, MEMBER]);
    const client = await dial(member, HOST);
    const server = await vt.until(accepted.next());
    expect(client.peerId).toBe(HOST);
    expect(server.peerId).toBe(MEMBER);
    expect(server.remoteAddress).toBe('10.0.0.2');
  });

  it('a plain view proves nothing: its connections show no peer ID at the other end', async () => {
    const { vt, net, accepted, dial } = await setup();
    const plain = net.at('10.0.0.3');
    expect(plain.peerId).toBeUndefined();
    const client = await dial(plain);
    expect(client.peerId).toBe(HOST);
    expect((await vt.until(accepted.next())).peerId).toBeUndefined();
  });

  it('fails a dial with PEER_MISMATCH when the listener proves another peer ID, and the listener never sees it', async () => {
    const { net, listener, dial } = await setup();
    const member = net.at('10.0.0.2', { peerId: MEMBER });
    await expect(dial(member, 'kimpostor')).rejects.toMatchObject({ name: 'TransportError', code: 'PEER_MISMATCH', message: expect.stringMatching(/khost.*kimpostor/) });
    expect(listener.connectionCount).toBe(0);
  });

  it('fails a dial with PEER_MISMATCH when the listener proves none', async () => {
    const { net, dial } = await setup(null);
    await expect(dial(net.at('10.0.0.2', { peerId: MEMBER }), HOST)).rejects.toMatchObject({ code: 'PEER_MISMATCH' });
  });

  it('a plain view ignores expectPeerId, as tcpTransport does', async () => {
    const { net, dial } = await setup(null);
    const client = await dial(net.at('10.0.0.2'), HOST);
    expect(client.peerId).toBeUndefined();
  });

  it('memoryTransport({ peerId }) proves it from the first view', async () => {
    const vt = virtualTime();
    const net = memoryTransport({ scheduler: vt.scheduler, peerId: HOST });
    const listener = await net.listen<ClientCommand>({ decoder: () => serverSideDecoder() });
    const accepted = new Accepted(listener);
    const client = await vt.until(net.at('10.0.0.2').dial<ServerCommand>({ host: listener.address, port: listener.port, decoder: () => clientSideDecoder(), expectPeerId: HOST }));
    expect(client.peerId).toBe(HOST);
    expect((await vt.until(accepted.next())).peerId).toBeUndefined();
  });
});
