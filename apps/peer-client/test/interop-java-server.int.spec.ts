/**
 * Our peer-client against the draft authors' Java server (issue 12, items 1, 4, 7, 8), imitated
 * in java-server.ts: Java frames (UTF-16 length, no final NUL), one command per read, no STANDBY
 * ever, clients told apart by address, PeerPDUs every 15 s with garbage after the peer ID.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startJavaServer, type JavaServer } from './java-server.js';
import { killAll, randomDiscoveryPort, spawnPeer, type PeerProcess } from './peer-process.js';

let peers: PeerProcess[] = [];
let java: JavaServer | undefined;

afterEach(async () => {
  await killAll(peers);
  peers = [];
  await java?.close();
  java = undefined;
});

/**
 * A peer-client in `chat '#Gruppe5' --json` naming the Java server, as a user would (no embedded
 * host); a server with an empty peer ID goes by its endpoint (docs/protocol.md §7.6).
 */
async function chatOnJava(history: { author: string; text: string }[], peerId?: string, flags: readonly string[] = []): Promise<{ srv: JavaServer; c: PeerProcess }> {
  const net = { discoveryPort: randomDiscoveryPort(), intervalMs: 500 };
  const srv = await startJavaServer({ discoveryPort: net.discoveryPort, history, firstAnnouncement: 'first-client', ...(peerId !== undefined ? { peerId } : {}) });
  java = srv;
  const name = srv.peerId === '' ? `127.0.0.1:${srv.port}` : srv.peerId;
  const c = spawnPeer('ims1', ['chat', '#Gruppe5', '--server', name, '--json', '--no-host', ...flags], net);
  peers.push(c);
  return { srv, c };
}

describe('peer-client on the Java server (imitation, real sockets)', () => {
  it('joins without STANDBY: history and live posts shown, posts sent whole and echoed, EXIT on EOF, exit 0', async () => {
    const { srv, c } = await chatOnJava([
      { author: 'A0B1C2D3E4F5', text: 'Hallo Gruppe' },
      { author: 'A0B1C2D3E4F5', text: 'grüß dich 👋' },
    ]);
    const joined = await c.waitFor((e) => e.event === 'joined', 'joined', 20_000);
    expect(joined['host']).toBe(srv.peerId);
    // The server learnt our ID from our PeerPDU (it ignores JOIN's clientId) before we connected.
    expect((await srv.waitFor((r) => r.cmd === 'JOIN', 'JOIN')).from).toBe('ims1');
    // The notice follows the history: every history line is in by then.
    await c.waitFor((e) => e.event === 'error' && e['code'] === 'NO_STANDBY', 'the no-standby notice');
    expect(c.events.filter((e) => e.event === 'history').map((e) => e['text'])).toEqual(['Hallo Gruppe', 'grüß dich 👋']);
    c.post('hallo aus ims ü');
    await c.waitFor((e) => e.event === 'say' && e['text'] === 'hallo aus ims ü' && e['author'] === 'ims1', 'our echoed post');
    srv.say('A0B1C2D3E4F5', 'live vom Android');
    await c.waitFor((e) => e.event === 'say' && e['text'] === 'live vom Android', 'a live post');
    c.end();
    await srv.waitFor((r) => r.cmd === 'EXIT', 'EXIT');
    expect(await c.exited).toBe(0);
    expect(srv.received.map((r) => r.cmd)).toEqual(['JOIN', 'SAY', 'EXIT']);
    expect(srv.problems).toEqual([]);
    expect(c.events.filter((e) => e.event === 'error').map((e) => e['code'])).toEqual(['NO_STANDBY']);
    expect(c.events.filter((e) => e.event === 'left')).toEqual([expect.objectContaining({ reason: 'exit' })]);
  }, 30_000);

  it('an empty #Gruppe5: the join completes after the silent wait and the post typed meanwhile goes out', async () => {
    const { srv, c } = await chatOnJava([]);
    c.post('früh getippt');
    await c.waitFor((e) => e.event === 'joined', 'joined', 25_000);
    await c.waitFor((e) => e.event === 'say' && e['text'] === 'früh getippt', 'the early post, echoed', 5_000);
    expect(srv.received.map((r) => r.cmd)).toEqual(['JOIN', 'SAY']);
    expect(srv.problems).toEqual([]);
  }, 30_000);

  it('--standby-wait sets how long a silent server is waited for (1 s here, not the default 10 s)', async () => {
    const { srv, c } = await chatOnJava([], undefined, ['--standby-wait', '1s']);
    const t0 = Date.now();
    c.post('schnell');
    await c.waitFor((e) => e.event === 'joined', 'joined', 25_000);
    // Generous: a loaded box may be slow, but not 9 s slow on a 1 s wait.
    expect(Date.now() - t0).toBeLessThan(9_000);
    await c.waitFor((e) => e.event === 'say' && e['text'] === 'schnell', 'the early post, echoed', 5_000);
    expect(srv.problems).toEqual([]);
  }, 30_000);

  it('an empty peer ID (no MAC address), announcing every 15 s: joined by its endpoint, and still the host after its next round', async () => {
    const { srv, c } = await chatOnJava([{ author: 'A0B1C2D3E4F5', text: 'vorher' }], '');
    const joined = await c.waitFor((e) => e.event === 'joined', 'joined', 20_000);
    expect(joined['host']).toBe(`127.0.0.1:${srv.port}`);
    // Our own interval is 500 ms: 15 s of silence is 30 of ours, yet the server is not given up.
    await srv.waitForRound(2, 20_000);
    c.post('nach 15 s');
    await c.waitFor((e) => e.event === 'say' && e['text'] === 'nach 15 s', 'a post after the second round', 5_000);
    expect(c.events.filter((e) => e.event === 'left' || e.event === 'failover')).toEqual([]);
    expect(srv.received.map((r) => r.cmd)).toEqual(['JOIN', 'SAY']);
  }, 30_000);

  it('stdout going away (EPIPE) ends the process cleanly: EXIT to the server, exit 0, no uncaught error', async () => {
    const { srv, c } = await chatOnJava([{ author: 'A0B1C2D3E4F5', text: 'vorher' }]);
    await c.waitFor((e) => e.event === 'joined', 'joined', 20_000);
    // Whoever read our stdout is gone: the next event line the client writes meets EPIPE.
    c.proc.stdout?.destroy();
    srv.say('A0B1C2D3E4F5', 'niemand liest mit');
    await srv.waitFor((r) => r.cmd === 'EXIT', 'EXIT after EPIPE').catch((err: unknown) => {
      throw new Error(`${String(err)}\nclient stderr: ${c.stderr().slice(-3000)}`);
    });
    expect(await c.exited).toBe(0);
    expect(c.stderr()).not.toMatch(/uncaught|EPIPE.*throw/i);
    expect(c.stderr()).toContain('stdout_gone');
    expect(srv.received.map((r) => r.cmd)).toEqual(['JOIN', 'EXIT']);
  }, 30_000);
});
