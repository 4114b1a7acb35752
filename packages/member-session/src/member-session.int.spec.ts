/**
 * Smoke test over real loopback sockets (tcpTransport, the default): the session's logic is unit
 * tested over the memory transport in member-session.spec.ts; this only shows the TCP wiring.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { encodeFrame, serverSideDecoder, type ClientCommand } from '@ims/codec';
import { createMember, type MemberInput } from '@ims/channel-core';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { startMemberSession, type TimedMemberEvent } from './member-session.js';

/** A TCP server on 127.0.0.1 that decodes what the member sends. */
async function rawHost() {
  const sockets: Socket[] = [];
  const frames: ClientCommand[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((s) => {
    sockets.push(s);
    const dec = serverSideDecoder();
    s.on('data', (chunk) => {
      for (const r of dec.push(chunk)) if (r.ok) frames.push(r.value);
      for (const w of [...waiters]) w();
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  /** Resolves once `n` commands arrived; fails after 3 s. */
  const received = (n: number): Promise<ClientCommand[]> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (frames.length < n) return;
        waiters.delete(check);
        resolve(frames.slice());
      };
      waiters.add(check);
      check();
      setTimeout(() => reject(new Error(`only ${JSON.stringify(frames)}`)), 3_000).unref();
    });
  return { server, sockets, port, received };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  // Newest first: sessions exit before their host's server closes.
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A session with the real reducer, recording its inputs. */
function start(port: number) {
  const inputs: MemberInput[] = [];
  const inner = createMember({ selfId: 'me', channel: '#a' });
  const session = startMemberSession({
    selfId: 'me',
    channel: '#a',
    target: { peerId: 'h', address: '127.0.0.1', port },
    createMember: () => ({ ...inner, handle: (i) => (inputs.push(i), inner.handle(i)) }),
  });
  cleanups.push(() => void session.exit());
  const event = (pred: (e: TimedMemberEvent) => boolean): Promise<TimedMemberEvent> => firstValueFrom(session.events$.pipe(filter(pred), timeout(3_000)));
  return { session, inputs, event };
}

describe('member session over TCP', () => {
  it('dials, sends JOIN, gets a frame, posts one, and closes with EXIT', async () => {
    const host = await rawHost();
    cleanups.push(() => host.server.close());
    const { session, event } = start(host.port);
    const joined = event((e) => e.event === 'joined');
    expect(await host.received(1)).toEqual([{ cmd: 'JOIN', channel: '#a', clientId: 'me' }]);
    host.sockets[0]?.write(encodeFrame({ cmd: 'STANDBY', peerId: 'h' }));
    expect(await joined).toMatchObject({ event: 'joined', host: 'h' });
    session.post('hello');
    expect((await host.received(2))[1]).toEqual({ cmd: 'SAY', text: 'hello' });
    const closed = new Promise((r) => host.sockets[0]?.on('end', r));
    await session.exit();
    expect((await host.received(3))[2]).toEqual({ cmd: 'EXIT' });
    await closed;
  });

  it('reports a refused dial as refused, and a connection the host dropped as closed', async () => {
    const dead = await rawHost();
    await new Promise((r) => dead.server.close(r));
    const refused = start(dead.port);
    await refused.event((e) => e.event === 'left');
    expect(refused.inputs).toContainEqual({ kind: 'connect-failed', refused: true });

    const host = await rawHost();
    cleanups.push(() => host.server.close());
    const { inputs, event } = start(host.port);
    await host.received(1);
    host.sockets[0]?.write(encodeFrame({ cmd: 'STANDBY', peerId: 'h' }));
    await event((e) => e.event === 'joined');
    host.sockets[0]?.destroy();
    // The reducer reconnects once (fast path): a second JOIN on a new socket.
    await host.received(2);
    expect(inputs.map((i) => i.kind)).toEqual(['join', 'connected', 'frame', 'closed', 'connected']);
  });
});
