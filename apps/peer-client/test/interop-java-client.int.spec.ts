/**
 * The draft authors' Android client classes (imitated in java-client.ts) against our dedicated
 * channel server (issue 12, item 8): Java frames in (UTF-16 length, no final NUL), JOIN without a
 * clientId, our PeerPDUs parsed; it receives the history and every post, and its EXIT is accepted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startJavaClient, type JavaClient } from './java-client.js';
import { killAll, randomDiscoveryPort, spawnPeer, spawnServer, type PeerProcess } from './peer-process.js';

let peers: PeerProcess[] = [];
let client: JavaClient | undefined;

afterEach(async () => {
  client?.close();
  client = undefined;
  await killAll(peers);
  peers = [];
});

describe('the Java client (imitation) on our channel-server (real sockets)', () => {
  it('joins, gets the history, posts non-ASCII text both ways with an ims client, and leaves with EXIT', async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: 200 };
    const srv = spawnServer('dedicated', net);
    peers.push(srv);
    await srv.waitFor((e) => e.event === 'listening', 'server listening', 30_000);
    const ims = spawnPeer('ims1', ['chat', '#Gruppe5', '--server', 'dedicated', '--json', '--no-host'], net);
    peers.push(ims);
    await ims.waitFor((e) => e.event === 'joined', 'ims joined', 20_000);
    ims.post('vorher: grüß dich');
    await ims.waitFor((e) => e.event === 'say' && e['text'] === 'vorher: grüß dich', 'the ims post echoed');
    const java = await startJavaClient({ discoveryPort: net.discoveryPort, peerId: 'A0B1C2D3E4F5', nick: 'android', serverId: 'dedicated' });
    client = java;
    java.send('JOIN', '#Gruppe5');
    // ims servers end a JOIN's history with STANDBY (§2.6): the Java client reads it as a standby.
    await java.waitFor((f) => f.cmd === 'STANDBY', 'STANDBY after the history');
    expect(java.frames.filter((f) => f.cmd === 'SAY').map((f) => f.fields[1])).toEqual(['vorher: grüß dich']);
    java.send('SAY', 'vom Android: Grüße 👋');
    const seen = await ims.waitFor((e) => e.event === 'say' && e['text'] === 'vom Android: Grüße 👋', 'the Java post at the ims client');
    // No clientId: the server names it by its address (its PDU's peer ID, else ip:port), never as ims1.
    expect(String(seen['author'])).toMatch(/^(A0B1C2D3E4F5|127\.0\.0\.2:\d+)$/);
    await java.waitFor((f) => f.cmd === 'SAY' && f.fields[1] === 'vom Android: Grüße 👋', 'its own post echoed');
    ims.post('zurück an Android');
    await java.waitFor((f) => f.cmd === 'SAY' && f.fields[0] === 'ims1' && f.fields[1] === 'zurück an Android', 'the ims post at the Java client');
    java.send('EXIT');
    await java.closed;
    expect(java.frames.filter((f) => f.cmd === 'ERROR')).toEqual([]);
    expect(srv.stderr()).not.toMatch(/bad_frame|FRAME_TOO_LARGE/);
    ims.end();
    expect(await ims.exited).toBe(0);
  }, 30_000);
});
