/**
 * Process fuzzing (issue 11 item 9): a real channel-server and a real `chat --json` peer-client,
 * honest members posting all along, while seeded random and mutated frames (JOIN, SAY, INVITE,
 * EXIT: bytes flipped, cut short, oversize lengths, split at random points, over many connections
 * from other loopback addresses) hit the server, and random and mutated PeerPDUs (forgeries of the
 * honest IDs included) hit both on the test's discovery port. At the end: both processes alive,
 * every honest post delivered exactly once to every honest member, honest latency bounded (a
 * generous bound: behaviour, not speed), the peer-client still in its channel, the abuse counted
 * in /metrics and the log not flooded. `FUZZ_SEED=<n>` replays a run; `FUZZ_MS` sets its length.
 */
import { connect, type Socket } from 'node:net';
import { below, encodeFrame, encodePdu, mutatedFrame, mutatedPdu, prng, splitRandomly, type Rand } from '@ims/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { concat, fuzzSeed, loopbackSender } from './fuzz-inputs.js';
import { ServerProcess, privateDiscoveryPort } from './harness.js';
import { ChatMember, RawMember, type Received, type SentLog } from './honest-members.js';

const SEED = fuzzSeed();
const FUZZ_MS = Number(process.env['FUZZ_MS'] ?? 15_000);
const INTERVAL_MS = 250;
const WAIT_MS = 30_000;
/** Attackers' source addresses: not the honest members' 127.0.0.1 (their budgets are per address). */
const ATTACKER_ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7'];
const ATTACKERS = 12;
const CHANNELS = ['#honest', '#fz-a', '#fz-b', '@fz-private'];

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What the attackers did, for the report line. */
const sent = { connections: 0, refusedDials: 0, chunks: 0, frames: 0, datagrams: 0 };

/** One attacker: connections one after another, each a burst of hostile frames in random pieces. */
async function attacker(k: number, port: number, deadline: number, held: Socket[]): Promise<void> {
  const rand = prng(SEED + 1 + k);
  const localAddress = ATTACKER_ADDRESSES[k % ATTACKER_ADDRESSES.length] as string;
  while (Date.now() < deadline) {
    const sock = connect({ host: '127.0.0.1', port, localAddress });
    sock.on('error', () => undefined);
    const ok = await new Promise<boolean>((resolve) => {
      sock.once('connect', () => resolve(true));
      sock.once('error', () => resolve(false));
    });
    if (!ok) {
      sent.refusedDials++;
      await tick(20);
      continue;
    }
    sent.connections++;
    // Most read (and drop) what comes back; some never read: slow readers the host must drop.
    if (rand() < 0.15) sock.pause();
    else sock.resume();
    await burst(rand, sock);
    if (rand() < 0.1 && held.length < 60) held.push(sock);
    else sock.destroy();
    await tick(below(rand, 25));
  }
}

async function burst(rand: Rand, sock: Socket): Promise<void> {
  // Mostly short bursts of hostile frames; some connections flood well-formed ones past the budget (200 at once).
  const frames =
    rand() < 0.05
      ? [encodeFrame({ cmd: 'JOIN', channel: '#fz-flood', clientId: `fz-flood-${below(rand, 100)}` }), ...Array.from({ length: 250 + below(rand, 400) }, (_, i) => encodeFrame({ cmd: 'SAY', text: `flood ${i}` }))]
      : Array.from({ length: 1 + below(rand, 40) }, () => mutatedFrame(rand, CHANNELS));
  sent.frames += frames.length;
  for (const chunk of splitRandomly(rand, concat(frames))) {
    if (sock.destroyed) return;
    sock.write(chunk);
    sent.chunks++;
    if (rand() < 0.1) await tick();
  }
}

/** Hostile datagrams from `address` until the deadline, in small batches (~400 a second). */
async function pduFuzzer(k: number, address: string, forge: readonly string[], samples: readonly Uint8Array[], port: number, deadline: number): Promise<void> {
  const rand = prng(SEED + 1_000 + k);
  const udp = await loopbackSender(address);
  try {
    while (Date.now() < deadline) {
      for (let i = 0; i < 8; i++) await udp.send(mutatedPdu(rand, forge, samples), port);
      sent.datagrams += 8;
      await tick(20);
    }
  } finally {
    udp.close();
  }
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

function metric(body: string, name: string): number {
  const m = new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(body);
  return m === null ? Number.NaN : Number(m[1]);
}

describe('process fuzzing (a real channel-server and peer-client)', () => {
  it(`random and mutated frames and PDUs: honest posts all delivered exactly once, in time, nobody leaves (FUZZ_SEED=${SEED})`, { timeout: Math.max(60_000, FUZZ_MS + 40_000) }, async () => {
    console.log(`process fuzz: FUZZ_SEED=${SEED} FUZZ_MS=${FUZZ_MS}`);
    const dport = privateDiscoveryPort();
    const net = ['--discovery-port', String(dport), '--announce-interval', String(INTERVAL_MS)];
    const server = await ServerProcess.start(['--port', '0', '--id', 'fuzz-srv', '--http-port', '0', '--idle-timeout', '2s', ...net]);
    cleanup.push(() => server.kill());
    const listening = await server.waitForLine((l) => l.event === 'listening');
    const sentAt: SentLog = new Map();
    const chat = new ChatMember('fz-chat', [...net, '--log-level', 'warn', 'chat', '#honest', '--server', 'fuzz-srv', '--json', '--no-host'], sentAt);
    cleanup.push(() => chat.kill());
    await chat.until(() => chat.events.some((e) => e.event === 'joined'), WAIT_MS, () => 'chat joined');
    const raws = await Promise.all(['h1', 'h2', 'h3'].map((id) => RawMember.join(server.port, '#honest', id, sentAt, WAIT_MS)));
    for (const r of raws) cleanup.push(() => r.destroy());
    const members: (Received & { id: string })[] = [...raws, chat];

    const deadline = Date.now() + FUZZ_MS;
    const held: Socket[] = [];
    cleanup.push(() => held.forEach((s) => s.destroy()));
    const posted: string[] = [];
    const posting = setInterval(() => posted.push(...raws.map((r) => r.post())), 50);
    const chatPosting = setInterval(() => posted.push(chat.post()), 250);
    const samples = [
      encodePdu({ peerId: 'fuzz-srv', options: [{ type: 'SERVER_OPTION', port: server.port }, { type: 'SERVER_CHANNELS', channels: ['#honest'] }] }),
      encodePdu({ peerId: 'fz-chat', options: [{ type: 'CLIENT_NICK', nick: 'n-fz-chat' }, { type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 'fuzz-srv', channels: ['#honest'] }] }] }),
    ];
    try {
      await Promise.all([
        ...Array.from({ length: ATTACKERS }, (_, k) => attacker(k, server.port, deadline, held)),
        // From another address: forgeries of the honest IDs and mutations of their PDUs (first seen address wins).
        pduFuzzer(0, '127.0.0.2', ['fuzz-srv', 'fz-chat'], samples, dport, deadline),
        // From the honest peers' own address: random IDs and garbage (a flood there must not starve them).
        pduFuzzer(1, '127.0.0.1', [], [], dport, deadline),
      ]);
    } finally {
      clearInterval(posting);
      clearInterval(chatPosting);
    }
    for (const s of held.splice(0)) s.destroy();

    // The peer-client is still in its channel: one more post goes round after the storm.
    posted.push(chat.post());
    const expected = new Set(posted);
    for (const m of members) {
      const missing = () => [...expected].filter((t) => !m.counts.has(t));
      await (m as RawMember | ChatMember).until(() => missing().length === 0, WAIT_MS, () => `${m.id} still misses ${missing().length} of ${expected.size} honest posts, e.g. ${missing().slice(0, 5).join(', ')} (FUZZ_SEED=${SEED})`);
    }
    const latencies = members.flatMap((m) => m.latencies);
    const report = { seed: SEED, ...sent, honestPosts: expected.size, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies) };
    console.log(`process fuzz: ${JSON.stringify(report)}`);

    expect(server.child.exitCode, `server alive (FUZZ_SEED=${SEED})`).toBeNull();
    expect(chat.alive, `peer-client alive (FUZZ_SEED=${SEED})`).toBe(true);
    expect(chat.events.filter((e) => e.event === 'left' || e.event === 'failover' || e.event === 'not-json')).toEqual([]);
    for (const m of members) {
      const twice = [...expected].filter((t) => m.counts.get(t) !== 1);
      expect(twice, `${m.id}: honest posts not delivered exactly once (FUZZ_SEED=${SEED})`).toEqual([]);
    }
    for (const r of raws) expect(r.closed, `${r.id} still connected`).toBe(false);
    // Generous: a loaded 2-core CI box, three processes, the fuzzers in this one.
    expect(report.p99, `honest p99 delivery latency, ms (FUZZ_SEED=${SEED})`).toBeLessThan(5_000);
    expect(report.max, `honest max delivery latency, ms (FUZZ_SEED=${SEED})`).toBeLessThan(15_000);

    // Every abuse is counted (issue 11 item 8), and the log is not flooded: one line per offender per interval.
    const body = await (await fetch(`http://127.0.0.1:${listening.httpPort as number}/metrics`)).text();
    for (const name of ['ims_errors_total{code="FRAME_TOO_LARGE"}', 'ims_errors_total{code="UNKNOWN_COMMAND"}', 'ims_errors_total{code="FLOOD"}', 'ims_discovery_abuse_total{cause="malformed"}', 'ims_discovery_abuse_total{cause="oversize"}']) {
      expect(metric(body, name), name).toBeGreaterThan(0);
    }
    const counted = body.split('\n').filter((l) => /^ims_(errors|discovery_abuse)_total\{/.test(l) && !l.endsWith(' 0'));
    console.log(`process fuzz: counted ${counted.map((l) => l.replace(/^ims_\w+_total\{\w+="(\w+)"\} /, '$1=')).join(' ')}`);
    const warns = server.lines.filter((l) => l['level'] === 'warn');
    const byEvent: Record<string, number> = {};
    for (const l of warns) byEvent[String(l.event)] = (byEvent[String(l.event)] ?? 0) + 1;
    console.log(`process fuzz: ${server.lines.length} server log lines, warn by event ${JSON.stringify(byEvent)}`);
    const windows = Math.ceil(FUZZ_MS / 10_000) + 2;
    // Per window: each attacker address a line and a summary, discovery a line per source and cause, the transport's refusals once a second.
    expect(warns.length).toBeLessThan(windows * (ATTACKER_ADDRESSES.length * 2 + 2 * 6) + FUZZ_MS / 1_000 + 20);

    chat.end();
    expect(await chat.exited).toBe(0);
  });
});
