/**
 * Process fuzzing of the peer-client (issue 11 item 9): two `chat --json` peer-clients on one
 * channel, the first hosting it in its embedded host, both posting all along, while seeded random
 * and mutated frames (codec's `mutatedFrame`, over many connections from other loopback addresses)
 * hit the embedded host and random and mutated PeerPDUs (forgeries of both IDs from a second
 * address, garbage from theirs) hit both. At the end: both alive and still in the channel, every
 * post shown exactly once by both, delivery under a generous bound. `FUZZ_SEED=<n>` replays the
 * inputs; `FUZZ_MS` sets the length.
 */
import { createSocket } from 'node:dgram';
import { connect, createServer, type Socket } from 'node:net';
import { below, encodePdu, mutatedFrame, mutatedPdu, MULTICAST_GROUP_V4, prng, splitRandomly, type Rand } from '@ims/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, randomDiscoveryPort, spawnPeer, type EventLine, type PeerProcess } from './peer-process.js';

const SEED = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) >>> 0 : Math.floor(Math.random() * 0x1_0000_0000) >>> 0;
const FUZZ_MS = Number(process.env['FUZZ_MS'] ?? 12_000);
const INTERVAL_MS = 250;
const WAIT_MS = 30_000;
const ATTACKER_ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
const CHANNELS = ['#f', '#fz-a', '@fz-private'];

let peers: PeerProcess[] = [];
const sockets: { destroy(): void }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await killAll(peers);
  peers = [];
});

const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const sent = { connections: 0, frames: 0, datagrams: 0 };

/** A free TCP port in 49152–65535 for `--port` (listened on once, then released). */
async function freeServerPort(): Promise<number> {
  for (;;) {
    const port = 49_152 + Math.floor(Math.random() * 16_000);
    const server = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!ok) continue;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }
}

/** One attacker: connections one after another to the embedded host, each a burst of hostile frames in random pieces. */
async function attacker(k: number, port: number, deadline: number): Promise<void> {
  const rand = prng(SEED + 1 + k);
  const localAddress = ATTACKER_ADDRESSES[k % ATTACKER_ADDRESSES.length] as string;
  while (Date.now() < deadline) {
    const sock: Socket = connect({ host: '127.0.0.1', port, localAddress });
    sock.on('error', () => undefined);
    const ok = await new Promise<boolean>((resolve) => {
      sock.once('connect', () => resolve(true));
      sock.once('error', () => resolve(false));
    });
    if (ok) {
      sent.connections++;
      if (rand() < 0.15) sock.pause();
      else sock.resume();
      await burst(rand, sock);
    }
    sock.destroy();
    await tick(below(rand, 30));
  }
}

async function burst(rand: Rand, sock: Socket): Promise<void> {
  const frames = Array.from({ length: 1 + below(rand, 40) }, () => mutatedFrame(rand, CHANNELS));
  sent.frames += frames.length;
  for (const frame of frames) {
    for (const chunk of splitRandomly(rand, frame)) {
      if (sock.destroyed) return;
      sock.write(chunk);
      if (rand() < 0.1) await tick();
    }
  }
}

/** Hostile datagrams from `address` on the loopback multicast group until the deadline (~400 a second). */
async function pduFuzzer(k: number, address: string, forge: readonly string[], samples: readonly Uint8Array[], port: number, deadline: number): Promise<void> {
  const rand = prng(SEED + 1_000 + k);
  const s = createSocket({ type: 'udp4', reuseAddr: true });
  sockets.push({ destroy: () => s.close() });
  await new Promise<void>((resolve) => s.bind({ address, port: 0 }, resolve));
  s.setMulticastInterface('127.0.0.1');
  s.setMulticastTTL(1);
  while (Date.now() < deadline) {
    for (let i = 0; i < 8; i++) {
      await new Promise<void>((resolve, reject) => s.send(mutatedPdu(rand, forge, samples), port, MULTICAST_GROUP_V4, (err) => (err ? reject(err) : resolve())));
    }
    sent.datagrams += 8;
    await tick(20);
  }
}

/** Posts `id-n` every `everyMs` until stopped; returns the texts posted. */
function poster(p: PeerProcess, everyMs: number): { texts: string[]; stop(): void } {
  const texts: string[] = [];
  const timer = setInterval(() => {
    const text = `${p.id}-${String(texts.length).padStart(5, '0')}`;
    texts.push(text);
    p.post(text);
  }, everyMs);
  return { texts, stop: () => clearInterval(timer) };
}

const shownTexts = (p: PeerProcess): EventLine[] => p.events.filter((e) => (e.event === 'say' || e.event === 'history') && typeof e['text'] === 'string');

describe('process fuzzing (peer-clients, one hosting in its embedded host)', () => {
  it(`random and mutated frames at the embedded host and PDUs at both: every post shown exactly once, nobody leaves (FUZZ_SEED=${SEED})`, { timeout: Math.max(60_000, FUZZ_MS + 40_000) }, async () => {
    console.log(`peer-client process fuzz: FUZZ_SEED=${SEED} FUZZ_MS=${FUZZ_MS}`);
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    const port = await freeServerPort();
    const a = spawnPeer('fz-a', ['--port', String(port), 'chat', '#f', '--json'], net);
    peers.push(a);
    await a.waitFor((e) => e.event === 'joined' && e['host'] === 'fz-a', 'a hosts #f', WAIT_MS);
    const b = spawnPeer('fz-b', ['chat', '#f', '--json', '--no-host'], net);
    peers.push(b);
    await b.waitFor((e) => e.event === 'joined' && e['host'] === 'fz-a', 'b joined on a', WAIT_MS);

    const deadline = Date.now() + FUZZ_MS;
    const posters = [poster(a, 100), poster(b, 100)];
    const samples = [
      encodePdu({ peerId: 'fz-a', options: [{ type: 'CLIENT_NICK', nick: 'n-fz-a' }, { type: 'SERVER_OPTION', port }, { type: 'SERVER_CHANNELS', channels: ['#f'] }] }),
      encodePdu({ peerId: 'fz-b', options: [{ type: 'CLIENT_NICK', nick: 'n-fz-b' }, { type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 'fz-a', channels: ['#f'] }] }] }),
    ];
    try {
      await Promise.all([
        ...Array.from({ length: 8 }, (_, k) => attacker(k, port, deadline)),
        pduFuzzer(0, '127.0.0.2', ['fz-a', 'fz-b'], samples, net.discoveryPort, deadline),
        pduFuzzer(1, '127.0.0.1', [], [], net.discoveryPort, deadline),
      ]);
    } finally {
      for (const p of posters) p.stop();
    }
    // One more post each after the storm: both are still in the channel.
    for (const [i, p] of [a, b].entries()) {
      const text = `${p.id}-after`;
      posters[i]?.texts.push(text);
      p.post(text);
    }
    const expected = posters.flatMap((p) => p.texts);
    for (const p of [a, b]) {
      for (const q of [a, b]) await p.waitFor((e) => e.event === 'say' && e['text'] === `${q.id}-after`, `${p.id} shows ${q.id}'s last post (FUZZ_SEED=${SEED})`, WAIT_MS);
    }
    const report: Record<string, unknown> = { seed: SEED, ...sent, posts: expected.length };
    const latencies: number[] = [];
    for (const p of [a, b]) {
      const counts = new Map<string, number>();
      for (const e of shownTexts(p)) counts.set(e['text'] as string, (counts.get(e['text'] as string) ?? 0) + 1);
      expect(expected.filter((t) => counts.get(t) !== 1), `${p.id}: posts not shown exactly once (FUZZ_SEED=${SEED})`).toEqual([]);
      expect(p.events.filter((e) => ['left', 'failover', 'not-json'].includes(e.event)), `${p.id} stays in #f (FUZZ_SEED=${SEED})`).toEqual([]);
      expect(p.proc.exitCode, `${p.id} alive`).toBeNull();
    }
    // Latency of b's posts as a shows them and a's as b shows them (post time ≈ the poster's own say event).
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const own = new Map(shownTexts(from).filter((e) => String(e['text']).startsWith(from.id)).map((e) => [e['text'] as string, Number(e['ts'])]));
      for (const e of shownTexts(to)) {
        const at = own.get(e['text'] as string);
        if (at !== undefined) latencies.push(Number(e['ts']) - at);
      }
    }
    latencies.sort((x, y) => x - y);
    report['p99'] = latencies[Math.floor(0.99 * (latencies.length - 1))];
    report['max'] = latencies.at(-1);
    console.log(`peer-client process fuzz: ${JSON.stringify(report)}`);
    expect(latencies.length).toBeGreaterThan(expected.length / 2);
    expect(report['p99'] as number, `p99 between the two clients, ms (FUZZ_SEED=${SEED})`).toBeLessThan(5_000);

    a.end();
    b.end();
    expect(await b.exited).toBe(0);
    expect(await a.exited).toBe(0);
  });
});
