import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { firstValueFrom, timeout } from 'rxjs';
import { listenForInvites, type InviteListener } from './invite-listener.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A listener on a free loopback port (tests never take the real 55555). */
async function listener(options: Parameters<typeof listenForInvites>[0] = {}): Promise<InviteListener> {
  const l = await listenForInvites({ port: 0, ...options });
  cleanup.push(() => l.close());
  return l;
}

function dial(l: InviteListener): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: l.address, port: l.port }, () => resolve(s));
    s.once('error', reject);
    cleanup.push(() => s.destroy());
  });
}

/** Resolves when the socket is closed by the listener (fails the test after 5 s). */
const closedByListener = (s: Socket): Promise<void> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('not closed within 5 s')), 5_000);
    s.on('error', () => undefined);
    s.once('close', () => {
      clearTimeout(t);
      resolve();
    });
  });

const next = (l: InviteListener) => firstValueFrom(l.pdus$.pipe(timeout(5_000)));

describe('listenForInvites (TCP on the discovery port, docs/protocol.md §3.8)', () => {
  it('hands on what one connection sent up to its FIN, from its remote address', async () => {
    const l = await listener();
    const got = next(l);
    const s = await dial(l);
    s.end(Uint8Array.from([0x00, 0x10, 0x1f, 0x40]));
    const d = await got;
    expect([...d.data]).toEqual([0x00, 0x10, 0x1f, 0x40]);
    expect(d.from.address).toBe('127.0.0.1');
    expect(d.from.port).toBe(s.localPort);
  });

  it('reads a connection that never sends its FIN at the deadline', async () => {
    const l = await listener({ timeoutMs: 100 });
    const got = next(l);
    const s = await dial(l);
    s.write(Uint8Array.from([0x61, 0x00]));
    expect([...(await got).data]).toEqual([0x61, 0x00]);
    await closedByListener(s);
  });

  it('drops a connection that sends more than maxBytes, unread', async () => {
    const l = await listener({ maxBytes: 8 });
    const s = await dial(l);
    const closed = closedByListener(s);
    s.write(new Uint8Array(9));
    await closed;
    expect(l.stats()).toMatchObject({ accepted: 1, oversize: 1, received: 0 });
  });

  it('closes connections beyond maxConnections at accept', async () => {
    const l = await listener({ maxConnections: 1, timeoutMs: 5_000 });
    await dial(l);
    const second = await dial(l);
    await closedByListener(second);
    expect(l.stats()).toMatchObject({ accepted: 1, refused: 1 });
  });

  it('closes connections beyond maxConnectionsPerSecond at accept', async () => {
    const l = await listener({ maxConnectionsPerSecond: 2, timeoutMs: 5_000 });
    await dial(l);
    await dial(l);
    const third = await dial(l);
    await closedByListener(third);
    // The three dials take milliseconds: all fall into the window the first one opened.
    expect(l.stats()).toMatchObject({ accepted: 2, refused: 1 });
  });

  it('fails with BIND_FAILED when the port is taken (another peer on this machine listens there)', async () => {
    const l = await listener();
    await expect(listenForInvites({ port: l.port })).rejects.toMatchObject({ name: 'DiscoveryError', code: 'BIND_FAILED' });
  });
});
