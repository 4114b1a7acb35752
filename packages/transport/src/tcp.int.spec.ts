import { connect } from 'node:net';
import { type ClientCommand, type ServerCommand, SERVER_PORT_MAX, SERVER_PORT_MIN, clientSideDecoder, encodeFrame, serverSideDecoder } from '@ims/codec';
import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { dialTcp } from './tcp-dialer.js';
import type { TcpConnection } from './tcp-connection.js';
import { type TcpListener, listenTcp } from './tcp-listener.js';
import { TransportError } from './transport-error.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function listen(opts: Partial<Parameters<typeof listenTcp<ClientCommand>>[0]> = {}): Promise<TcpListener<ClientCommand>> {
  const l = await listenTcp<ClientCommand>({ decoder: () => serverSideDecoder(), ...opts });
  cleanup.push(() => l.close());
  return l;
}

async function dial(port: number): Promise<TcpConnection<ServerCommand>> {
  const c = await dialTcp<ServerCommand>({ host: '127.0.0.1', port, decoder: () => clientSideDecoder() });
  cleanup.push(() => c.destroy('test over'));
  return c;
}

describe('TCP transport over loopback', () => {
  it('listens on a random port in 49152–65535 and on 127.0.0.1 by default', async () => {
    const l = await listen();
    expect(l.address).toBe('127.0.0.1');
    expect(l.port).toBeGreaterThanOrEqual(SERVER_PORT_MIN);
    expect(l.port).toBeLessThanOrEqual(SERVER_PORT_MAX);
  });

  it('rejects a port outside the range and a port in use', async () => {
    await expect(listenTcp({ decoder: () => serverSideDecoder(), port: 8080 })).rejects.toMatchObject({ code: 'LISTEN_FAILED' });
    const l = await listen();
    await expect(listenTcp({ decoder: () => serverSideDecoder(), port: l.port })).rejects.toBeInstanceOf(TransportError);
  });

  it('reports IPv4 peers of a dual-stack listener in plain IPv4 form', async (ctx) => {
    let l: TcpListener<ClientCommand>;
    try {
      l = await listen({ address: '::' });
    } catch (err) {
      ctx.skip(`no IPv6 dual-stack listener here: ${String(err)}`);
      return;
    }
    const accepted = firstValueFrom(l.connections$.pipe(timeout(5000)));
    await dial(l.port);
    expect((await accepted).remoteAddress).toBe('127.0.0.1');
  });

  it('carries frames both ways, many small writes coalesced into whole frames', async () => {
    const l = await listen();
    const accepted = firstValueFrom(l.connections$.pipe(timeout(5000)));
    const client = await dial(l.port);
    const server = await accepted;
    const got = firstValueFrom(server.frames$.pipe(take(3), toArray(), timeout(5000)));
    const bytes = Buffer.concat([
      encodeFrame({ cmd: 'JOIN', channel: '#a', clientId: 'p1' }),
      encodeFrame({ cmd: 'SAY', text: 'héllo' }),
      encodeFrame({ cmd: 'EXIT' }),
    ]);
    // One byte per write: the batcher joins them, the decoder still sees whole frames.
    for (const b of bytes) client.write(Uint8Array.of(b));
    expect((await got).map((d) => (d.ok ? d.value : d.error.code))).toEqual([
      { cmd: 'JOIN', channel: '#a', clientId: 'p1' },
      { cmd: 'SAY', text: 'héllo' },
      { cmd: 'EXIT' },
    ]);
    const back = firstValueFrom(client.frames$.pipe(take(2), toArray(), timeout(5000)));
    server.write(encodeFrame({ cmd: 'SAY', authorId: 'p1', text: 'x' }));
    server.write(encodeFrame({ cmd: 'STANDBY', peerId: 'h' }));
    expect((await back).map((d) => d.ok && d.value.cmd)).toEqual(['SAY', 'STANDBY']);
  });

  it('graceful close flushes queued frames before the FIN, and reports who closed', async () => {
    const l = await listen();
    const accepted = firstValueFrom(l.connections$.pipe(timeout(5000)));
    const client = await dial(l.port);
    const server = await accepted;
    const frames = firstValueFrom(client.frames$.pipe(toArray(), timeout(5000)));
    server.write(encodeFrame({ cmd: 'ERROR', reason: 'bye' }));
    server.close('test');
    expect((await frames).map((d) => d.ok && d.value)).toEqual([{ cmd: 'ERROR', reason: 'bye' }]);
    expect(await firstValueFrom(server.closed$)).toMatchObject({ reason: 'test', byPeer: false });
    expect(await firstValueFrom(client.closed$)).toMatchObject({ byPeer: true });
    expect(server.write(Uint8Array.of(1))).toBe(false);
  });

  it('dialing a closed port fails with CONNECTION_REFUSED', async () => {
    const l = await listenTcp<ClientCommand>({ decoder: () => serverSideDecoder() });
    const port = l.port;
    await l.close();
    await expect(dialTcp({ host: '127.0.0.1', port, decoder: () => clientSideDecoder() })).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
  });

  it('closes a connection whose frame stays incomplete past the idle timeout', async () => {
    const l = await listen({ idleTimeoutMs: 150 });
    const accepted = firstValueFrom(l.connections$.pipe(timeout(5000)));
    const raw = connect({ host: '127.0.0.1', port: l.port });
    raw.on('error', () => undefined);
    cleanup.push(() => raw.destroy());
    const server = await accepted;
    server.frames$.subscribe();
    raw.write(Uint8Array.of(0, 0));
    expect(await firstValueFrom(server.closed$.pipe(timeout(5000)))).toMatchObject({ code: 'IDLE_TIMEOUT' });
  });

  it('drops a peer that stops reading once its send queue passes the bound', async () => {
    const l = await listen({ maxSendQueueBytes: 256 * 1024 });
    const accepted = firstValueFrom(l.connections$.pipe(timeout(5000)));
    const raw = connect({ host: '127.0.0.1', port: l.port });
    raw.on('error', () => undefined);
    raw.pause();
    cleanup.push(() => raw.destroy());
    const server = await accepted;
    const frame = encodeFrame({ cmd: 'SAY', authorId: 'a', text: 'x'.repeat(60_000) });
    const closed = firstValueFrom(server.closed$.pipe(timeout(10_000)));
    // Write in turns so the socket really fills (kernel buffers first, then our queue).
    let rounds = 0;
    while (!server.isClosing && rounds++ < 2_000) {
      server.write(frame);
      await new Promise<void>((r) => setImmediate(r));
    }
    expect(await closed).toMatchObject({ code: 'SLOW_READER' });
  });
});
