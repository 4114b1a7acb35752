import { type ClientCommand, type ServerCommand, clientSideDecoder, encodeFrame, serverSideDecoder } from '@ims/codec';
import { describe, expect, it } from 'vitest';
import { describeTransport, failAfter } from '../test/describe-transport.js';
import { Accepted, Probe } from '../test/probe.js';
import type { Connection } from './connection.js';
import { memoryTransport } from './memory-transport.js';
import { virtualTime } from './virtual-time.js';

describeTransport('memoryTransport in virtual time', () => {
  const vt = virtualTime();
  const transport = memoryTransport({ scheduler: vt.scheduler });
  return { transport, address: '127.0.0.1', source: '127.0.0.1', elsewhere: transport.at('10.0.0.5'), wait: (p) => vt.until(p) };
});

describeTransport('memoryTransport on the default scheduler', () => {
  const transport = memoryTransport({ address: '10.0.0.1' });
  return { transport, address: '10.0.0.1', source: '10.0.0.1', elsewhere: transport.at('10.0.0.2'), wait: (p) => failAfter(p) };
});

/** A listener on a virtual-time network, and a dialled pair with probes at both ends. */
async function setup(listen: { idleTimeoutMs?: number; closeTimeoutMs?: number } = {}) {
  const vt = virtualTime();
  const net = memoryTransport({ scheduler: vt.scheduler });
  const listener = await net.listen<ClientCommand>({ decoder: () => serverSideDecoder(), ...listen });
  const accepted = new Accepted(listener);
  const dial = () => net.dial<ServerCommand>({ host: listener.address, port: listener.port, decoder: () => clientSideDecoder() });
  const pair = async () => {
    const client = await vt.until(dial());
    const server = await vt.until(accepted.next());
    const [c, s] = [new Probe<ServerCommand>(), new Probe<ClientCommand>()];
    client.attach(c);
    server.attach(s);
    return { client, server, c, s };
  };
  return { vt, net, listener, accepted, dial, pair };
}

describe('memoryTransport', () => {
  it('delivers on the scheduler, never inside the call that wrote or dialled', async () => {
    const { vt, dial, accepted } = await setup();
    let client: Connection<ServerCommand> | undefined;
    void dial().then((c) => (client = c));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(client).toBeUndefined();
    await vt.settle();
    const server = await vt.until(accepted.next());
    const s = new Probe<ClientCommand>();
    server.attach(s);
    client?.write(encodeFrame({ cmd: 'EXIT' }));
    expect(s.frames).toEqual([]);
    await vt.settle();
    expect(s.values()).toEqual([{ cmd: 'EXIT' }]);
    expect(vt.now()).toBe(0);
  });

  it('times out slowloris on the virtual clock: dripping bytes does not restart it, a completed frame does', async () => {
    const { vt, pair } = await setup({ idleTimeoutMs: 100 });
    const { client, server, s } = await pair();
    const frame = encodeFrame({ cmd: 'JOIN', channel: '#a' });
    await vt.advance(90);
    client.write(frame.subarray(0, 3));
    await vt.advance(9);
    expect(server.isClosing).toBe(false);
    client.write(Uint8Array.from([...frame.subarray(3), ...frame.subarray(0, 2)]));
    await vt.advance(60);
    client.write(frame.subarray(2, 5));
    await vt.advance(39);
    expect(server.isClosing).toBe(false);
    await vt.advance(1);
    expect(server.isClosing).toBe(true);
    expect(await vt.until(s.closing())).toMatchObject({ code: 'IDLE_TIMEOUT' });
  });

  it('destroys a graceful close the peer never answers after closeTimeoutMs', async () => {
    const { vt, dial, accepted } = await setup({ closeTimeoutMs: 500 });
    await vt.until(dial()); // never attached: it never reads the FIN
    const server = await vt.until(accepted.next());
    const s = new Probe<ClientCommand>();
    server.attach(s);
    server.close('bye');
    await vt.advance(499);
    expect(s.info).toBeUndefined();
    await vt.advance(1);
    expect(s.info).toMatchObject({ reason: 'bye' });
  });

  it('fails a dial into a blackhole with CONNECT_TIMEOUT after connectTimeoutMs, and dials normally once lifted', async () => {
    const { vt, net, listener, dial } = await setup();
    const lift = net.blackhole(listener.address, listener.port);
    const started = vt.now();
    const attempt = net.dial({ host: listener.address, port: listener.port, connectTimeoutMs: 1_500, decoder: () => clientSideDecoder() });
    await expect(vt.until(attempt)).rejects.toMatchObject({ code: 'CONNECT_TIMEOUT' });
    expect(vt.now() - started).toBe(1_500);
    lift();
    await expect(vt.until(dial())).resolves.toBeDefined();
  });

  it('kill resets every connection of the endpoint and refuses later dials; a new listener can take the port', async () => {
    const { vt, net, listener, dial, pair } = await setup();
    const { c, s } = await pair();
    expect(net.kill(listener.address, listener.port)).toBe(true);
    expect(await vt.until(c.closing())).toEqual({ reason: 'socket error ECONNRESET', code: 'SOCKET_ERROR', byPeer: true });
    expect(s.info).toMatchObject({ reason: 'endpoint killed', byPeer: false });
    await expect(vt.until(dial())).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    expect(net.kill(listener.address, listener.port)).toBe(false);
    const again = await net.listen({ decoder: () => serverSideDecoder(), port: listener.port });
    expect(again.port).toBe(listener.port);
  });

  it('picks free ports round robin, so a restarted listener gets a new one', async () => {
    const net = memoryTransport();
    const a = await net.listen({ decoder: () => serverSideDecoder() });
    await a.close();
    const b = await net.listen({ decoder: () => serverSideDecoder() });
    expect(b.port).toBe(a.port + 1);
    const elsewhere = await net.at('10.0.0.7').listen({ decoder: () => serverSideDecoder() });
    expect(elsewhere.address).toBe('10.0.0.7');
  });
});
