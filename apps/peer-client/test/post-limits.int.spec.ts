/**
 * The client protects its user (issue 11, item 7) against a real channel server: a post longer than
 * the host's frame limit is refused locally with one message, in `--json` and interactive modes,
 * the next post is delivered, and the server sees no reconnect loop (its accepted connections).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, randomDiscoveryPort, spawnPeer, spawnServer, type EventLine, type PeerProcess } from './peer-process.js';

const INTERVAL_MS = 100;
const HUGE = 'x'.repeat(70 * 1024);
let peers: PeerProcess[] = [];

afterEach(async () => {
  await killAll(peers);
  peers = [];
});

function track(p: PeerProcess): PeerProcess {
  peers.push(p);
  return p;
}

/** A dedicated server logging every accepted connection, listening. */
async function server(net: { discoveryPort: number; intervalMs: number }): Promise<PeerProcess> {
  const srv = track(spawnServer('dedicated', net, 'debug'));
  await srv.waitFor((e) => e.event === 'listening', 'server listening', 30_000);
  return srv;
}

const connections = (srv: PeerProcess): EventLine[] => srv.events.filter((e) => e.event === 'host.conn_open');

describe('peer-client: posts the host would refuse (real channel-server)', () => {
  it('chat --json: a 70 KiB post is refused locally with one error event, the next post arrives, one connection', async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    const srv = await server(net);
    const c = track(spawnPeer('c', ['chat', '#big', '--server', 'dedicated', '--json', '--no-host'], net));
    await c.waitFor((e) => e.event === 'joined' && e['host'] === 'dedicated', 'joined on the server', 30_000);
    c.post(HUGE);
    c.post('next');
    await c.waitFor((e) => e.event === 'say' && e['text'] === 'next', 'the next post echoed');
    // A second, later post still goes through the same connection: nothing was left in a loop.
    c.post('after');
    await c.waitFor((e) => e.event === 'say' && e['text'] === 'after', 'a later post echoed');
    const errors = c.events.filter((e) => e.event === 'error');
    expect(errors).toEqual([expect.objectContaining({ code: 'POST_TOO_LARGE', channel: '#big', message: expect.stringMatching(/frame limit of 65536/) as string })]);
    expect(c.events.filter((e) => e.event === 'joined')).toHaveLength(1);
    expect(connections(srv)).toHaveLength(1);
    expect(srv.events.filter((e) => e['code'] === 'FRAME_TOO_LARGE')).toEqual([]);
    c.end();
    expect(await c.exited).toBe(0);
  });

  it('interactive: the refusal is printed once, the next post arrives, one connection', async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    const srv = await server(net);
    // The channel exists on the server first, so the lobby shows where `/join #big` goes.
    const c = track(spawnPeer('c', ['chat', '#big', '--server', 'dedicated', '--json', '--no-host'], net));
    await c.waitFor((e) => e.event === 'joined' && e['host'] === 'dedicated', 'joined on the server', 30_000);
    const alice = track(spawnPeer('alice', ['--no-host'], net));
    const line = (re: RegExp, what: string): Promise<EventLine> => alice.waitFor((e) => e.event === 'not-json' && re.test(String(e['line'])), what, 30_000);
    await line(/^-- you are n-alice/, 'greeting');
    alice.post('/join #big');
    await line(/-- joined #big on n?-?dedicated$/, 'joined notice');
    alice.post(HUGE);
    alice.post('next');
    await line(/#big <n-alice> next$/, 'the next post echoed');
    await c.waitFor((e) => e.event === 'say' && e['text'] === 'next', 'the other member got it');
    expect(c.events.filter((e) => e.event === 'error')).toEqual([]);
    const notices = alice.events.filter((e) => /^\[[\d:]+\] !! /.test(String(e['line'])));
    expect(notices.map((e) => String(e['line']).replace(/^\[[\d:]+\] /, ''))).toEqual([expect.stringMatching(/^!! #big: post not sent: \d+ bytes on the wire, over the host's frame limit of 65536$/) as string]);
    // c's connection and alice's.
    expect(connections(srv)).toHaveLength(2);
    alice.post('/quit');
    expect(await alice.exited).toBe(0);
  });
});
