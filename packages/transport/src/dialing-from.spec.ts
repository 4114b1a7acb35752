import { type ClientCommand, type ServerCommand, clientSideDecoder, serverSideDecoder } from '@ims/codec';
import { describe, expect, it } from 'vitest';
import { Accepted } from '../test/probe.js';
import { dialingFrom } from './dialing-from.js';
import { memoryTransport } from './memory-transport.js';
import { virtualTime } from './virtual-time.js';

describe('dialingFrom', () => {
  it('dials from the given source address, so the listener sees it as the remote address', async () => {
    const vt = virtualTime();
    const net = memoryTransport({ scheduler: vt.scheduler });
    const listener = await net.listen<ClientCommand>({ decoder: () => serverSideDecoder() });
    const accepted = new Accepted(listener);
    const from = dialingFrom(net, '10.0.0.7');
    await vt.until(from.dial<ServerCommand>({ host: listener.address, port: listener.port, decoder: () => clientSideDecoder() }));
    expect((await vt.until(accepted.next())).remoteAddress).toBe('10.0.0.7');
  });

  it('keeps a dial that names its own localAddress', async () => {
    const vt = virtualTime();
    const net = memoryTransport({ scheduler: vt.scheduler });
    const listener = await net.listen<ClientCommand>({ decoder: () => serverSideDecoder() });
    const accepted = new Accepted(listener);
    const from = dialingFrom(net, '10.0.0.7');
    await vt.until(from.dial<ServerCommand>({ host: listener.address, port: listener.port, localAddress: '10.0.0.9', decoder: () => clientSideDecoder() }));
    expect((await vt.until(accepted.next())).remoteAddress).toBe('10.0.0.9');
  });
});
