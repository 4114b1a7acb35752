/**
 * Contract suite every Transport runs (tcpTransport over loopback in an int spec, memoryTransport
 * in virtual and in real time in unit specs), in the manner of libp2p's interface-compliance-tests.
 * Waits are event-driven: the harness's `wait` either runs virtual time until the event or fails
 * after a real timeout; no test sleeps.
 */
import { describe, expect, it } from 'vitest';
import { type ClientCommand, type ServerCommand, SERVER_PORT_MAX, SERVER_PORT_MIN, clientSideDecoder, encodeFrame } from '@ims/codec';
import { ContractContext, type TransportHarness } from './contract-context.js';
import { acceptContract, backpressureContract, closingContract, pauseContract } from './describe-transport-limits.js';
import { Probe } from './probe.js';

export { failAfter, type TransportHarness } from './contract-context.js';

const SAY = (text: string): ServerCommand => ({ cmd: 'SAY', authorId: 'a', text });

/** Runs the transport contract against harnesses from `make`. */
export function describeTransport(name: string, make: () => TransportHarness): void {
  describe(`Transport contract: ${name}`, () => {
    const ctx = new ContractContext(make);
    endpointContract(ctx);
    lifecycleContract(ctx);
    backpressureContract(ctx);
    pauseContract(ctx);
    closingContract(ctx);
    acceptContract(ctx);
  });
}

/** Listening, dialling, frames both ways, the end-of-turn flush. */
function endpointContract(ctx: ContractContext): void {
  it('listens at the given address on a port in 49152–65535; a taken or out-of-range port fails with LISTEN_FAILED', async () => {
    const { listener } = await ctx.listen();
    expect(listener.address).toBe(ctx.h.address);
    expect(listener.port).toBeGreaterThanOrEqual(SERVER_PORT_MIN);
    expect(listener.port).toBeLessThanOrEqual(SERVER_PORT_MAX);
    await expect(ctx.listen({ port: listener.port })).rejects.toMatchObject({ name: 'TransportError', code: 'LISTEN_FAILED' });
    await expect(ctx.listen({ port: 8080 })).rejects.toMatchObject({ code: 'LISTEN_FAILED' });
  });

  it('refuses a dial where nothing listens (CONNECTION_REFUSED), also once the listener closed', async () => {
    const { listener } = await ctx.listen();
    const port = listener.port;
    await ctx.h.wait(listener.close());
    await expect(ctx.h.wait(ctx.h.transport.dial({ host: ctx.h.address, port, decoder: () => clientSideDecoder() }))).rejects.toMatchObject({
      name: 'TransportError',
      code: 'CONNECTION_REFUSED',
    });
  });

  it('carries frames both ways through the codec, in order, many small writes joined into whole frames', async () => {
    const l = await ctx.listen();
    const { client, server, c, s } = await ctx.pair(l);
    expect(server.remoteAddress).toBe(ctx.h.source);
    expect([client.remoteAddress, client.remotePort]).toEqual([l.listener.address, l.listener.port]);
    const bytes = [encodeFrame({ cmd: 'JOIN', channel: '#a', clientId: 'p1' }), encodeFrame({ cmd: 'SAY', text: 'héllo' }), encodeFrame({ cmd: 'EXIT' })];
    for (const frame of bytes) for (const b of frame) client.write(Uint8Array.of(b));
    expect(await ctx.h.wait(s.receive(3))).toEqual([{ cmd: 'JOIN', channel: '#a', clientId: 'p1' }, { cmd: 'SAY', text: 'héllo' }, { cmd: 'EXIT' }]);
    server.write(encodeFrame(SAY('x')));
    server.write(Uint8Array.of(0, 0, 0, 4, 70, 79, 79, 0)); // "FOO": a bad frame travels as a value
    server.write(encodeFrame({ cmd: 'STANDBY', peerId: 'h' }));
    expect(await ctx.h.wait(c.receive(3))).toEqual([SAY('x'), 'UNKNOWN_COMMAND', { cmd: 'STANDBY', peerId: 'h' }]);
  });

  it('hands the writes of a turn to the network before afterFlush callbacks run', async () => {
    const l = await ctx.listen();
    const { client, s } = await ctx.pair(l);
    client.write(encodeFrame({ cmd: 'EXIT' }));
    client.write(encodeFrame({ cmd: 'EXIT' }));
    expect(client.queuedBytes).toBeGreaterThan(0);
    const queuedAtFlush = await ctx.h.wait(new Promise<number>((resolve) => ctx.h.transport.afterFlush(() => resolve(client.queuedBytes))));
    expect(queuedAtFlush).toBe(0);
    expect(await ctx.h.wait(s.receive(2))).toEqual([{ cmd: 'EXIT' }, { cmd: 'EXIT' }]);
  });

  it('runs beforeFlush before the turn is handed to the network, and its writes join the turn', async () => {
    const l = await ctx.listen();
    const { client, s } = await ctx.pair(l);
    client.write(encodeFrame({ cmd: 'EXIT' }));
    const queuedBefore = await ctx.h.wait(
      new Promise<number>((resolve) =>
        ctx.h.transport.beforeFlush(() => {
          const queued = client.queuedBytes;
          client.write(encodeFrame({ cmd: 'SAY', text: 'late' }));
          resolve(queued);
        }),
      ),
    );
    expect(queuedBefore).toBeGreaterThan(0);
    expect(await ctx.h.wait(s.receive(2))).toEqual([{ cmd: 'EXIT' }, { cmd: 'SAY', text: 'late' }]);
  });
}

/** attach, graceful close and destroy. */
function lifecycleContract(ctx: ContractContext): void {
  it('starts reading at attach, throws on a second attach, and reports the close at once to a late attach', async () => {
    const gone = new Set<string>();
    let onGone = (): void => undefined;
    const l = await ctx.listen({
      onClosed: (conn) => {
        gone.add(conn.id);
        onGone();
      },
    });
    const client = await ctx.dial(l.listener);
    const server = await ctx.h.wait(l.accepted.next());
    client.write(encodeFrame({ cmd: 'EXIT' }));
    await ctx.turn();
    const s = new Probe<ClientCommand>();
    server.attach(s);
    expect(() => server.attach(new Probe<ClientCommand>())).toThrow(/already has a sink/);
    expect(await ctx.h.wait(s.receive(1))).toEqual([{ cmd: 'EXIT' }]);
    await ctx.dial(l.listener);
    const unattached = await ctx.h.wait(l.accepted.next());
    unattached.destroy('gone before attach');
    await ctx.h.wait(
      new Promise<void>((resolve) => {
        onGone = () => {
          if (gone.has(unattached.id)) resolve();
        };
        onGone();
      }),
    );
    const late = new Probe<ClientCommand>();
    unattached.attach(late);
    expect(late.info).toMatchObject({ reason: 'gone before attach', byPeer: false });
    expect(() => unattached.attach(new Probe<ClientCommand>())).toThrow(/already has a sink/);
  });

  it('graceful close delivers queued frames before the FIN; the peer ends too; writes after close are refused', async () => {
    // A close timer far beyond the wait's limit: the close must complete by the FIN exchange.
    const l = await ctx.listen({ closeTimeoutMs: 600_000 });
    const { client, server, c, s } = await ctx.pair(l);
    server.write(encodeFrame({ cmd: 'ERROR', reason: 'bye' }));
    server.close('test');
    client.write(encodeFrame({ cmd: 'EXIT' })); // read and discarded: nothing reaches a closing end's sink
    expect(server.isClosing).toBe(true);
    expect(server.write(Uint8Array.of(1))).toBe(false);
    expect(await ctx.h.wait(c.closing())).toEqual({ reason: 'peer closed', code: undefined, byPeer: true });
    expect(c.values()).toEqual([{ cmd: 'ERROR', reason: 'bye' }]);
    expect(await ctx.h.wait(s.closing())).toMatchObject({ reason: 'test', byPeer: false });
    expect(s.frames).toEqual([]);
    expect(client.isClosing).toBe(true);
    expect(l.listener.connectionCount).toBe(0);
  });

  it('destroy drops what is queued and ends both ends at once', async () => {
    const l = await ctx.listen();
    const { client, server, c, s } = await ctx.pair(l);
    client.write(encodeFrame({ cmd: 'EXIT' }));
    client.destroy('abort', 'SLOW_READER');
    expect(client.queuedBytes).toBe(0);
    expect(await ctx.h.wait(c.closing())).toEqual({ reason: 'abort', code: 'SLOW_READER', byPeer: false });
    expect(await ctx.h.wait(s.closing())).toMatchObject({ byPeer: true });
    expect(s.frames).toEqual([]);
    expect(server.write(Uint8Array.of(1))).toBe(false);
  });
}
