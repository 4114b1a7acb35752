/**
 * A peer-client survives any datagram without leaving its channels (issue 11, item 7): forged and
 * fuzzed PeerPDUs on its discovery group, on loopback, while it chats on a real channel server
 * (a few hundred here, paced under discovery's per-source cap; the issue's million is item 9's job).
 */
import { createSocket, type Socket } from 'node:dgram';
import { encodePdu, MULTICAST_GROUP_V4, prng } from '@ims/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, randomDiscoveryPort, spawnPeer, spawnServer, type PeerProcess } from './peer-process.js';

const INTERVAL_MS = 100;
let peers: PeerProcess[] = [];
let socket: Socket | undefined;

afterEach(async () => {
  socket?.close();
  socket = undefined;
  await killAll(peers);
  peers = [];
});

/** A sender on the loopback interface only (TTL 1): nothing leaves the host. */
async function loopbackSender(): Promise<(bytes: Uint8Array, port: number) => Promise<void>> {
  const s = createSocket({ type: 'udp4', reuseAddr: true });
  socket = s;
  await new Promise<void>((resolve) => s.bind({ address: '127.0.0.1', port: 0 }, resolve));
  s.setMulticastInterface('127.0.0.1');
  s.setMulticastTTL(1);
  s.setMulticastLoopback(true);
  return (bytes, port) => new Promise<void>((resolve, reject) => s.send(bytes, port, MULTICAST_GROUP_V4, (err) => (err ? reject(err) : resolve())));
}

describe('peer-client: hostile PeerPDUs (real channel-server)', () => {
  it('forged (the server ID with no options, only a nick, another port) and fuzzed PDUs: the chat keeps its channel and its host', async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    const srv = spawnServer('dedicated', net);
    peers.push(srv);
    const listening = await srv.waitFor((e) => e.event === 'listening', 'server listening', 30_000);
    const c = spawnPeer('c', ['chat', '#f', '--server', 'dedicated', '--json', '--no-host'], net);
    peers.push(c);
    await c.waitFor((e) => e.event === 'joined' && e['host'] === 'dedicated', 'joined on the server', 30_000);
    const send = await loopbackSender();
    const real = encodePdu({ peerId: 'dedicated', options: [{ type: 'SERVER_OPTION', port: Number(listening['port']) }, { type: 'SERVER_CHANNELS', channels: ['#f'] }] });
    const forged = [
      encodePdu({ peerId: 'dedicated', options: [] }),
      encodePdu({ peerId: 'dedicated', options: [{ type: 'CLIENT_NICK', nick: 'evil' }] }),
      // The server's ID with another port (an attacker's listener): the known endpoint must win.
      encodePdu({ peerId: 'dedicated', options: [{ type: 'SERVER_OPTION', port: 49_999 }, { type: 'SERVER_CHANNELS', channels: ['#f'] }] }),
    ];
    const rnd = prng(11);
    const started = Date.now();
    // 6 intervals of hostile traffic: forgeries, mutations of the real PDU, random bytes; paced
    // under the 200 datagrams a second per source that discovery reads.
    for (let i = 0; Date.now() - started < 6 * INTERVAL_MS || i < 100; i++) {
      const kind = i % 3;
      let bytes: Uint8Array;
      if (kind === 0) bytes = forged[(i / 3) % forged.length] as Uint8Array;
      else if (kind === 1) {
        bytes = real.slice(0, 1 + Math.floor(rnd() * real.length));
        for (let k = 0; k < 3; k++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      } else bytes = Uint8Array.from({ length: 1 + Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256));
      await send(bytes, net.discoveryPort);
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 60));
    }
    c.post('still here');
    await c.waitFor((e) => e.event === 'say' && e['text'] === 'still here', 'a post after the flood');
    expect(c.events.filter((e) => e.event === 'left' || e.event === 'failover')).toEqual([]);
    expect(c.proc.exitCode).toBeNull();
    // A newcomer naming the server reaches the real one, not the forged endpoint.
    const d = spawnPeer('d', ['chat', '#f', '--server', 'dedicated', '--json', '--no-host'], net);
    peers.push(d);
    await d.waitFor((e) => e.event === 'history' && e['text'] === 'still here', 'the newcomer got the history from the real server', 30_000);
    c.end();
    expect(await c.exited).toBe(0);
  });
});
