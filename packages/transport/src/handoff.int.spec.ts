import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ClientCommand, encodeFrame, serverSideDecoder, clientSideDecoder } from '@ims/codec';
import { firstValueFrom, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { failAfter } from '../test/describe-transport.js';
import { acceptForHandoff, type HandedSocket } from './handoff-acceptor.js';
import { tcpTransport } from './tcp-transport.js';

const CHILD = fileURLToPath(new URL('../test/adopt-child.ts', import.meta.url));

/** What adopt-child.ts reports. */
interface ChildMessage {
  readonly t: 'ready' | 'frame' | 'closed' | 'released';
  readonly frame?: unknown;
  readonly address?: string;
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('socket handoff (acceptor here, adopting transport in a child process)', () => {
  it('hands over after the first frame to another process, which reads every byte again, in order', async () => {
    const acceptor = await acceptForHandoff<ClientCommand>({ decoder: () => serverSideDecoder() });
    cleanup.push(() => acceptor.close());
    const handed = firstValueFrom(acceptor.handed$.pipe(timeout(5000)));
    const child = fork(CHILD, [], { execArgv: ['--conditions=@ims/source', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    cleanup.push(() => child.kill('SIGKILL'));
    const messages: ChildMessage[] = [];
    const changed = new Set<() => void>();
    child.on('message', (m: ChildMessage) => {
      messages.push(m);
      for (const f of changed) f();
    });
    const until = (what: (m: readonly ChildMessage[]) => boolean): Promise<void> =>
      failAfter(new Promise<void>((resolve) => {
        const check = (): void => void (what(messages) && (changed.delete(check), resolve()));
        changed.add(check);
        check();
      }), 15_000);
    await until((m) => m.some((x) => x.t === 'ready'));
    const client = await failAfter(tcpTransport.dial({ host: '127.0.0.1', port: acceptor.port, decoder: () => clientSideDecoder() }));
    cleanup.push(() => client.destroy('test over'));
    // JOIN and a SAY in one write: the SAY is read with the JOIN and must travel in the head.
    client.write(new Uint8Array([...encodeFrame({ cmd: 'JOIN', channel: '#a' }), ...encodeFrame({ cmd: 'SAY', text: 'hello' })]));
    const h = await handed;
    expect(h.first).toMatchObject({ ok: true, value: { cmd: 'JOIN', channel: '#a' } });
    expect(acceptor.openCount).toBe(1);
    child.send({ head: h.head.toString('base64') }, h.socket);
    client.write(encodeFrame({ cmd: 'SAY', text: 'after the handoff' }));
    const frames = (m: readonly ChildMessage[]): unknown[] => m.filter((x) => x.t === 'frame').map((x) => x.frame);
    await until((m) => frames(m).length === 3);
    expect(frames(messages)).toEqual([{ cmd: 'JOIN', channel: '#a' }, { cmd: 'SAY', text: 'hello' }, { cmd: 'SAY', text: 'after the handoff' }]);
    client.destroy('done');
    await until((m) => m.some((x) => x.t === 'released'));
    expect(messages.find((x) => x.t === 'released')?.address).toBe('127.0.0.1');
  });

  it('hands a socket over without a first frame once the wait ends', async () => {
    const acceptor = await acceptForHandoff<ClientCommand>({ decoder: () => serverSideDecoder(), firstFrameTimeoutMs: 50 });
    cleanup.push(() => acceptor.close());
    const handed = firstValueFrom(acceptor.handed$.pipe(timeout(5000)));
    const client = await failAfter(tcpTransport.dial({ host: '127.0.0.1', port: acceptor.port, decoder: () => clientSideDecoder() }));
    cleanup.push(() => client.destroy('test over'));
    client.write(new Uint8Array([0, 0]));
    const h = await handed;
    expect(h.first).toBeUndefined();
    expect([...h.head]).toEqual([0, 0]);
    h.socket.destroy();
  });

  it('refuses past maxConnectionsPerIp until a handed-over connection is released', async () => {
    const acceptor = await acceptForHandoff<ClientCommand>({ decoder: () => serverSideDecoder(), maxConnectionsPerIp: 1, refusalFrame: (reason) => encodeFrame({ cmd: 'ERROR', reason }) });
    cleanup.push(() => acceptor.close());
    const handed = new Promise<HandedSocket<ClientCommand>>((resolve) => acceptor.handed$.subscribe(resolve));
    const refused = firstValueFrom(acceptor.refused$.pipe(timeout(5000)));
    const a = await failAfter(tcpTransport.dial({ host: '127.0.0.1', port: acceptor.port, decoder: () => clientSideDecoder() }));
    cleanup.push(() => a.destroy('test over'));
    a.write(encodeFrame({ cmd: 'JOIN', channel: '#a' }));
    const h = await handed;
    cleanup.push(() => h.socket.destroy());
    const b = await failAfter(tcpTransport.dial({ host: '127.0.0.1', port: acceptor.port, decoder: () => clientSideDecoder() }));
    cleanup.push(() => b.destroy('test over'));
    expect((await refused).code).toBe('MAX_CONNECTIONS_PER_IP');
    acceptor.release(h.address);
    expect(acceptor.openCount).toBe(0);
  });
});
