import { type ClientCommand, serverSideDecoder } from '@ims/codec';
import { firstValueFrom, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { describeTransport, failAfter } from '../test/describe-transport.js';
import type { Listener } from './transport.js';
import { tcpTransport } from './tcp-transport.js';

describeTransport('tcpTransport over loopback', () => ({ transport: tcpTransport, address: '127.0.0.1', source: '127.0.0.1', wait: (p) => failAfter(p) }));

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('tcpTransport', () => {
  it('listens on 127.0.0.1 by default', async () => {
    const l = await tcpTransport.listen({ decoder: () => serverSideDecoder() });
    cleanup.push(() => l.close());
    expect(l.address).toBe('127.0.0.1');
  });

  it('dials from localAddress: the listener sees that source address (docs/protocol.md §3.1)', async () => {
    const l = await tcpTransport.listen({ decoder: () => serverSideDecoder() });
    cleanup.push(() => l.close());
    const accepted = firstValueFrom(l.connections$.pipe(timeout(5000)));
    // Every 127.0.0.0/8 address is loopback on Linux: 127.0.0.2 is ours without configuration.
    const conn = await failAfter(tcpTransport.dial({ host: '127.0.0.1', port: l.port, localAddress: '127.0.0.2', decoder: () => serverSideDecoder() }));
    cleanup.push(() => conn.destroy('test over'));
    expect((await accepted).remoteAddress).toBe('127.0.0.2');
  });

  it('fails a dial from a localAddress that is not ours with CONNECT_FAILED', async () => {
    const l = await tcpTransport.listen({ decoder: () => serverSideDecoder() });
    cleanup.push(() => l.close());
    // 192.0.2.1 (TEST-NET-1) is never a local address: the bind fails before any packet leaves.
    const dial = tcpTransport.dial({ host: '127.0.0.1', port: l.port, localAddress: '192.0.2.1', decoder: () => serverSideDecoder() });
    await expect(failAfter(dial)).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
  });

  it('reports IPv4 peers of a dual-stack listener in plain IPv4 form', async (ctx) => {
    let l: Listener<ClientCommand>;
    try {
      l = await tcpTransport.listen<ClientCommand>({ decoder: () => serverSideDecoder(), address: '::' });
    } catch (err) {
      ctx.skip(`no IPv6 dual-stack listener here: ${String(err)}`);
      return;
    }
    cleanup.push(() => l.close());
    const accepted = firstValueFrom(l.connections$.pipe(timeout(5000)));
    const conn = await failAfter(tcpTransport.dial({ host: '127.0.0.1', port: l.port, decoder: () => serverSideDecoder() }));
    cleanup.push(() => conn.destroy('test over'));
    expect((await accepted).remoteAddress).toBe('127.0.0.1');
  });
});
