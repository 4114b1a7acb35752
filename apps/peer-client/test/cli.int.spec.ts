/**
 * The CLI through its stdin/stdout with real processes on loopback: interactive chat, `lobby
 * --json`, and the documented exit codes.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, randomDiscoveryPort, spawnPeer, type EventLine, type PeerProcess } from './peer-process.js';

const INTERVAL_MS = 100;
let peers: PeerProcess[] = [];

afterEach(async () => {
  await killAll(peers);
  peers = [];
});

function start(id: string, args: readonly string[], net: { discoveryPort: number; intervalMs: number }): PeerProcess {
  const p = spawnPeer(id, args, net);
  peers.push(p);
  return p;
}

const line = (p: PeerProcess, re: RegExp, what: string): Promise<EventLine> =>
  p.waitFor((e) => e.event === 'not-json' && re.test(String(e['line'])), what);

describe('peer-client CLI', () => {
  it('interactive: joins, shows posts with nicks and history, lists the lobby, changes nick, quits with EXIT', async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    const bob = start('bob', ['chat', '#chat', '--json'], net);
    await bob.waitFor((e) => e.event === 'joined', 'bob joined');
    bob.post('hi from bob');
    await bob.waitFor((e) => e.event === 'say' && e['text'] === 'hi from bob', 'bob sees his post');

    const alice = start('alice', [], net);
    await line(alice, /^-- you are n-alice \(alice\)/, 'greeting');
    // No server named: /join waits for discovery to show where #chat is hosted.
    alice.post('/join #chat');
    await line(alice, /-- joined #chat on n-bob$/, 'joined notice');
    alice.post('/list');
    await line(alice, /^ {2}n-bob \(bob\) at 127\.0\.0\.1:\d+: #chat$/, 'bob hosting #chat in /list');
    await line(alice, /#chat \(history\) <n-bob> hi from bob$/, 'history with nick');
    alice.post('hello from alice');
    await line(alice, /#chat <n-alice> hello from alice$/, 'own post echoed');
    await bob.waitFor((e) => e.event === 'say' && e['text'] === 'hello from alice' && e['nick'] === 'n-alice', 'bob sees alice');
    alice.post('/nick ally');
    await line(alice, /^-- you are now ally$/, 'nick notice');
    // The next PeerPDU carries the new nick: bob's posts name alice by it once discovery heard it.
    alice.post('/who');
    await line(alice, /^-- #chat \(\d\): ally \(you\)/, '/who lists me');
    alice.post('/join nonsense');
    await line(alice, /^!! nonsense does not start with # or @: channel names are ASCII and start with # or @ .*; usage: \/join #room \[server\]$/, 'readable reason');
    alice.post('/quit');
    expect(await alice.exited).toBe(0);
    expect(alice.stderr()).not.toMatch(/\n\s+at .*\.ts:\d+/);
  });

  it('lobby --json prints one snapshot with servers and their channels, and exits 0', async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    const host = start('h1', ['chat', '#pub', '--json'], net);
    await host.waitFor((e) => e.event === 'joined', 'host joined');
    const lobby = start('viewer', ['lobby', '--json', '--no-host'], net);
    expect(await lobby.exited).toBe(0);
    expect(lobby.events).toHaveLength(1);
    const snap = lobby.events[0] as EventLine & { peers: { id: string; nick: string | null; port: number | null; channels: string[] }[] };
    expect(snap.event).toBe('lobby');
    expect(snap['self']).toBe('viewer');
    const h1 = snap.peers.find((p) => p.id === 'h1');
    expect(h1).toMatchObject({ nick: 'n-h1', channels: ['#pub'] });
    expect(h1?.port).toBeGreaterThanOrEqual(49_152);
  });

  it('chat exits 3 with error and left{lost} when no host exists and it cannot host; 2 on bad flags', async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    const lonely = start('lonely', ['chat', '#void', '--json', '--no-host'], net);
    expect(await lonely.exited).toBe(3);
    expect(lonely.events.map((e) => e.event)).toEqual(['error', 'left']);
    expect(lonely.events[1]).toMatchObject({ reason: 'lost', channel: '#void' });
    const bad = start('bad', ['--announce-interval', 'soon'], net);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/announce-interval/);
  });

  it('chat: EOF on stdin posts what was read, sends EXIT, prints left{exit} last and exits 0', async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    const host = start('h2', ['chat', '#x', '--json'], net);
    await host.waitFor((e) => e.event === 'joined', 'host joined');
    // Like `echo bye | peer-client chat '#x'`: the post and EOF arrive before the join completes.
    const c = start('c', ['chat', '#x', '--json', '--server', 'h2'], net);
    c.post('bye');
    c.end();
    expect(await c.exited).toBe(0);
    expect(c.events.map((e) => e.event)).toEqual(['joined', 'standby', 'say', 'left']);
    expect(c.events[2]).toMatchObject({ author: 'c', text: 'bye' });
    expect(c.events.at(-1)).toMatchObject({ event: 'left', reason: 'exit' });
    await host.waitFor((e) => e.event === 'say' && e['text'] === 'bye', 'host got the post');
    // The host keeps serving: it was an orderly EXIT, not a crash.
    host.post('still serving');
    await host.waitFor((e) => e.event === 'say' && e['text'] === 'still serving', 'host still serves');
  });

  it('SIGTERM leaves every channel (left{exit}) and exits 0', async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    const p = start('term', ['chat', '#t', '--json'], net);
    await p.waitFor((e) => e.event === 'joined', 'joined');
    p.proc.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.events.at(-1)).toMatchObject({ event: 'left', reason: 'exit', channel: '#t' });
  });

  it('chat --invite admits a peer to a private channel; an uninvited peer is refused', async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    const alice = start('alice', ['chat', '@secret', '--json', '--invite', 'bob'], net);
    await alice.waitFor((e) => e.event === 'joined' && e['host'] === 'alice', 'alice created @secret on herself');
    const bob = start('bob', ['chat', '@secret', '--server', 'alice', '--json', '--no-host'], net);
    await bob.waitFor((e) => e.event === 'joined' && e['host'] === 'alice', 'bob admitted');
    bob.post('psst');
    await alice.waitFor((e) => e.event === 'say' && e['text'] === 'psst' && e['author'] === 'bob', 'alice sees bob');
    const eve = start('eve', ['chat', '@secret', '--server', 'alice', '--json', '--no-host'], net);
    expect(await eve.exited).toBe(3);
    expect(eve.events.some((e) => e.event === 'joined')).toBe(false);
    expect(eve.events.at(-1)).toMatchObject({ event: 'left', reason: 'lost' });
  });

  it('exits 4 when the embedded host cannot listen on --port', async () => {
    const busy = await busyServerPort();
    try {
      const p = start('busy', ['--port', String(busy.port), 'chat', '#b', '--json'], { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS });
      expect(await p.exited).toBe(4);
      expect(p.stderr()).toMatch(/cannot open sockets/);
    } finally {
      busy.server.close();
    }
  });
});

/** A listening socket on some port in 49152–65535 (the range `--port` accepts). */
async function busyServerPort(): Promise<{ server: Server; port: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 49_152 + Math.floor(Math.random() * 16_000);
    const server = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) return { server, port };
  }
  throw new Error('no free port in 49152-65535 to occupy');
}
