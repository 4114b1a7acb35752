/** The transport contract, continued: the slow-reader bound, the idle rule, the caps at accept and listener.close. */
import { expect, it } from 'vitest';
import { type ClientCommand, type ServerCommand, clientSideDecoder, encodeFrame, serverSideDecoder } from '@ims/codec';
import type { ConnectionSink } from '../src/connection.js';
import type { Refusal } from '../src/transport.js';
import type { ContractContext } from './contract-context.js';
import { Probe } from './probe.js';

const SAY = (text: string): ServerCommand => ({ cmd: 'SAY', authorId: 'a', text });

/** A peer that does not read, and one that never completes a frame. */
export function backpressureContract(ctx: ContractContext): void {
  it('drops a writer with SLOW_READER once a peer that does not read leaves too much waiting', async () => {
    const l = await ctx.listen({ maxSendQueueBytes: 256 * 1024 });
    await ctx.dial(l.listener); // never attached: it never reads
    const server = await ctx.h.wait(l.accepted.next());
    const s = new Probe<ClientCommand>();
    server.attach(s);
    const frame = encodeFrame(SAY('x'.repeat(60_000)));
    for (let rounds = 0; !server.isClosing && rounds < 2_000; rounds++) {
      server.write(frame);
      await ctx.turn();
    }
    expect(await ctx.h.wait(s.closing())).toMatchObject({ code: 'SLOW_READER', byPeer: false });
  });

  it('closes a connection that sends no frame, or leaves one incomplete, past the idle timeout; a quiet member stays', async () => {
    const l = await ctx.listen({ idleTimeoutMs: 300 });
    const quiet = await ctx.pair(l);
    quiet.client.write(encodeFrame({ cmd: 'JOIN', channel: '#a' }));
    await ctx.h.wait(quiet.s.receive(1));
    const silent = await ctx.pair(l);
    const partial = await ctx.pair(l);
    partial.client.write(encodeFrame({ cmd: 'JOIN', channel: '#a' }).subarray(0, 6));
    expect(await ctx.h.wait(partial.s.closing())).toMatchObject({ code: 'IDLE_TIMEOUT' });
    expect(await ctx.h.wait(silent.s.closing())).toMatchObject({ code: 'IDLE_TIMEOUT' });
    expect(await ctx.h.wait(partial.c.closing())).toMatchObject({ byPeer: true });
    expect(quiet.server.isClosing).toBe(false);
  });
}

/** What a closing connection still reads. */
export function closingContract(ctx: ContractContext): void {
  it('ends a closing connection at once when its peer keeps sending (over 64 KiB) and never reads our FIN, not after the close timeout', async () => {
    const l = await ctx.listen({ closeTimeoutMs: 600_000 });
    // Never attached: on the memory network this end reads nothing, not even the FIN, so only the
    // discard bound ends the close (over TCP the client's socket still sees the FIN and closes).
    const client = await ctx.dial(l.listener);
    const server = await ctx.h.wait(l.accepted.next());
    const s = new Probe<ClientCommand>();
    server.attach(s);
    server.close('bye');
    const chunk = encodeFrame({ cmd: 'SAY', text: 'x'.repeat(16_000) });
    for (let i = 0; i < 16; i++) client.write(chunk);
    // Without the bound the memory harnesses fail here (the 600 s close timeout is past their wait).
    expect(await ctx.h.wait(s.closing())).toMatchObject({ reason: 'bye', byPeer: false });
    expect(s.values()).toEqual([]);
  });
}

/** pause/resume: the owner's flow control (a host holding back a connection over a shared budget). */
export function pauseContract(ctx: ContractContext): void {
  it('pause holds the frame being delivered and every later one; resume delivers them in order, then reads on', async () => {
    const l = await ctx.listen();
    const client = await ctx.dial(l.listener);
    const server = await ctx.h.wait(l.accepted.next());
    const s = new Probe<ClientCommand>();
    let pauseAt: string | undefined = 'b';
    const sink: ConnectionSink<ClientCommand> = {
      frame: (d) => {
        if (d.ok && d.value.cmd === 'SAY' && d.value.text === pauseAt) {
          pauseAt = undefined;
          server.pause();
          return;
        }
        s.frame(d);
      },
      closed: (info) => s.closed(info),
    };
    server.attach(sink);
    const say = (text: string) => encodeFrame({ cmd: 'SAY', text });
    client.write(Uint8Array.from([...say('a'), ...say('b'), ...say('c')]));
    expect(await ctx.h.wait(s.receive(1))).toEqual([{ cmd: 'SAY', text: 'a' }]);
    client.write(say('d'));
    await ctx.turn();
    await ctx.turn();
    expect(s.values()).toEqual([{ cmd: 'SAY', text: 'a' }]);
    server.resume();
    expect(await ctx.h.wait(s.receive(4))).toEqual(['a', 'b', 'c', 'd'].map((text) => ({ cmd: 'SAY', text })));
    client.write(say('e'));
    expect((await ctx.h.wait(s.receive(5)))[4]).toEqual({ cmd: 'SAY', text: 'e' });
  });
}

/** Connection caps, unobserved listeners, listener.close. */
export function acceptContract(ctx: ContractContext): void {
  it('refuses connections over maxConnections at accept, with the refusal frame, and reports them', async () => {
    const l = await ctx.listen({ maxConnections: 1, refusalFrame: (reason) => encodeFrame({ cmd: 'ERROR', reason }) });
    const refused: Refusal[] = [];
    l.listener.refused$.subscribe((r) => refused.push(r));
    await ctx.pair(l);
    await ctx.dialRefused(l.listener, { cmd: 'ERROR', reason: 'MAX_CONNECTIONS: max connections reached, try later' });
    expect(refused).toEqual([{ address: ctx.h.source, reason: 'max-connections', code: 'MAX_CONNECTIONS' }]);
    expect(l.listener.connectionCount).toBe(1);
  });

  it('refuses connections over maxConnectionsPerIp at accept, with the refusal frame', async () => {
    const l = await ctx.listen({ maxConnectionsPerIp: 1, refusalFrame: (reason) => encodeFrame({ cmd: 'ERROR', reason }) });
    const refused: Refusal[] = [];
    l.listener.refused$.subscribe((r) => refused.push(r));
    await ctx.pair(l);
    await ctx.dialRefused(l.listener, { cmd: 'ERROR', reason: 'MAX_CONNECTIONS_PER_IP: max connections per ip reached, try later' });
    expect(refused).toEqual([{ address: ctx.h.source, reason: 'max-connections-per-ip', code: 'MAX_CONNECTIONS_PER_IP' }]);
  });

  it('gives another source address its own per-IP quota', async (test) => {
    const elsewhere = ctx.h.elsewhere;
    if (elsewhere === undefined) {
      test.skip('this harness has a single source address');
      return;
    }
    const l = await ctx.listen({ maxConnectionsPerIp: 1 });
    await ctx.pair(l);
    await ctx.dial(l.listener, elsewhere);
    const served = await ctx.h.wait(l.accepted.next());
    expect(served.remoteAddress).not.toBe(ctx.h.source);
    expect(l.listener.connectionCount).toBe(2);
  });

  it('counts a reconnect loop against its address: past the burst, new connections are refused with CONNECTION_RATE_PER_IP; another address is served', async () => {
    // A rate this low does not refill within the test: the budget is exactly the burst.
    const l = await ctx.listen({ connectionRatePerIp: 0.001, connectionBurstPerIp: 3, refusalFrame: (reason) => encodeFrame({ cmd: 'ERROR', reason }) });
    const refused: Refusal[] = [];
    l.listener.refused$.subscribe((r) => refused.push(r));
    for (let i = 0; i < 3; i++) {
      const p = await ctx.pair(l);
      p.client.close('reconnecting');
      await ctx.h.wait(p.s.closing());
    }
    expect(l.listener.connectionCount).toBe(0);
    await ctx.dialRefused(l.listener, { cmd: 'ERROR', reason: 'CONNECTION_RATE_PER_IP: too many new connections from this ip, try later' });
    expect(refused).toEqual([{ address: ctx.h.source, reason: 'connection-rate-per-ip', code: 'CONNECTION_RATE_PER_IP' }]);
    const elsewhere = ctx.h.elsewhere;
    if (elsewhere === undefined) return;
    await ctx.dial(l.listener, elsewhere);
    expect((await ctx.h.wait(l.accepted.next())).remoteAddress).not.toBe(ctx.h.source);
  });

  it('refuses connections while nobody observes connections$', async () => {
    const h = ctx.h;
    const listener = await h.transport.listen<ClientCommand>({ decoder: () => serverSideDecoder(), address: h.address });
    ctx.defer(() => h.wait(listener.close()));
    await ctx.dialRefused(listener);
    expect(listener.connectionCount).toBe(0);
  });

  it('listener.close closes every connection gracefully, resolves once all are gone, and refuses later dials', async () => {
    const l = await ctx.listen({ closeTimeoutMs: 600_000 });
    const [a, b] = [await ctx.pair(l), await ctx.pair(l)];
    a.server.write(encodeFrame(SAY('last words')));
    await ctx.h.wait(l.listener.close('stopping'));
    expect(l.listener.connectionCount).toBe(0);
    expect(a.s.info).toMatchObject({ reason: 'stopping', byPeer: false });
    expect(b.s.info).toMatchObject({ reason: 'stopping', byPeer: false });
    expect(await ctx.h.wait(a.c.closing())).toEqual({ reason: 'peer closed', code: undefined, byPeer: true });
    expect(a.c.values()).toEqual([SAY('last words')]);
    await expect(ctx.h.wait(ctx.h.transport.dial({ host: ctx.h.address, port: l.listener.port, decoder: () => clientSideDecoder() }))).rejects.toMatchObject({
      code: 'CONNECTION_REFUSED',
    });
  });
}
