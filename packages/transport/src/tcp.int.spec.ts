import { connect, type Socket } from 'node:net';
import { type ClientCommand, serverSideDecoder } from '@ims/codec';
import { firstValueFrom, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { describeTransport, failAfter } from '../test/describe-transport.js';
import type { Connection } from './connection.js';
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

describe('tcpTransport batches under a full socket', () => {
  it('delivers every byte in order to a member that stopped reading and to one that reads, while turns share the batch buffer', async () => {
    const l = await tcpTransport.listen({ decoder: () => serverSideDecoder(), maxSendQueueBytes: 64 * 1024 * 1024 });
    cleanup.push(() => l.close());
    const accepted: Connection<ClientCommand>[] = [];
    const bothIn = new Promise<void>((resolve) => {
      const sub = l.connections$.subscribe((c) => {
        accepted.push(c);
        if (accepted.length === 2) {
          sub.unsubscribe();
          resolve();
        }
      });
    });
    const TURNS = 1500;
    const PER_TURN = 20;
    // 12 MB each: more than loopback's socket buffers hold, so writes to the stopped member go partial and are kept.
    const CHUNK = 400;
    const total = TURNS * PER_TURN * CHUNK;
    const clients = [connect(l.port, '127.0.0.1'), connect(l.port, '127.0.0.1')];
    const slow = clients[1] as Socket;
    slow.pause();
    const got = clients.map(() => [] as Buffer[]);
    const done = clients.map(
      (c, i) =>
        new Promise<void>((resolve) => {
          let n = 0;
          c.on('data', (d: Buffer) => {
            (got[i] as Buffer[]).push(d);
            n += d.length;
            if (n >= total) resolve();
          });
        }),
    );
    cleanup.push(() => clients.forEach((c) => c.destroy()));
    await failAfter(bothIn);
    // Chunk k of the stream is its number, repeated: any byte overwritten or out of place shows.
    const chunk = (k: number): Uint8Array => {
      const b = Buffer.alloc(CHUNK);
      for (let at = 0; at < CHUNK; at += 4) b.writeUInt32BE(k, at);
      return b;
    };
    for (let t = 0; t < TURNS; t++) {
      for (let j = 0; j < PER_TURN; j++) {
        const bytes = chunk(t * PER_TURN + j);
        for (const c of accepted) expect(c.write(bytes)).toBe(true);
      }
      // One turn per round: each round's writes are joined and flushed at its end.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await failAfter(done[0] as Promise<void>, 20_000);
    slow.resume();
    await failAfter(done[1] as Promise<void>, 20_000);
    for (const parts of got) {
      const all = Buffer.concat(parts);
      expect(all.length).toBe(total);
      for (let k = 0; k < TURNS * PER_TURN; k++) {
        if (all.readUInt32BE(k * CHUNK) !== k || all.readUInt32BE(k * CHUNK + CHUNK - 4) !== k) throw new Error(`chunk ${k} is wrong: starts with ${all.readUInt32BE(k * CHUNK)}`);
      }
    }
  });
});
