/**
 * Takeover of a private channel (docs/protocol.md §8, §2.8) with real processes on loopback: the
 * dedicated server hosting `@x` is killed; its standby (a peer-client that learned the admission
 * list from STANDBY's admission fields) takes it over and admits exactly that list.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, randomDiscoveryPort, shown, spawnPeer, spawnServer, type EventLine, type PeerProcess } from './peer-process.js';

const INTERVAL_MS = 100;
let peers: PeerProcess[] = [];

afterEach(async () => {
  await killAll(peers);
  peers = [];
});

const is = (event: string, fields: Record<string, unknown> = {}) => (e: EventLine) =>
  e.event === event && Object.entries(fields).every(([k, v]) => e[k] === v);

function start(id: string, args: readonly string[], net: { discoveryPort: number; intervalMs: number }): PeerProcess {
  const p = spawnPeer(id, args, net);
  peers.push(p);
  return p;
}

describe('private channel takeover', () => {
  it('the standby refuses a stranger with NOT_INVITED and admits an invited member after the host dies', async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    const srv = spawnServer('dedicated', net);
    peers.push(srv);
    await srv.waitFor(is('listening', { id: 'dedicated' }), 'server listening', 30_000);
    const alice = start('alice', ['chat', '@x', '--server', 'dedicated', '--json', '--no-host', '--invite', 'sb,carol'], net);
    await alice.waitFor(is('joined', { host: 'dedicated' }), 'alice joined', 30_000);
    // The INVITE goes out once joined, before this post: once echoed, sb and carol are admitted.
    alice.post('kept');
    await alice.waitFor(is('say', { text: 'kept' }), 'kept echoed');
    const sb = start('sb', ['chat', '@x', '--server', 'dedicated', '--json'], net);
    await sb.waitFor(is('standby', { standby: 'sb' }), 'sb standby', 30_000);
    // The list follows sb's STANDBY on its connection: a later post's echo comes after it.
    alice.post('after sb');
    await sb.waitFor(is('say', { text: 'after sb' }), 'sb saw the post');

    srv.proc.kill('SIGKILL');
    await Promise.all([alice, sb].map((c) => c.waitFor(is('failover', { host: 'sb', from: 'dedicated' }), `${c.id} failover to sb`)));

    const mallory = start('mallory', ['chat', '@x', '--server', 'sb', '--json', '--no-host'], net);
    const answer = await mallory.waitFor((e) => is('error')(e) || is('joined')(e), 'an answer to mallory', 30_000);
    expect(answer).toMatchObject({ event: 'error', code: 'NOT_INVITED' });

    const carol = start('carol', ['chat', '@x', '--server', 'sb', '--json', '--no-host'], net);
    await carol.waitFor(is('joined', { host: 'sb' }), 'carol joined on sb', 30_000);
    await carol.waitFor(is('standby'), 'carol history done');
    expect(carol.events.filter((e) => e.event === 'history').map((e) => e['text'])).toEqual(['kept', 'after sb']);
    alice.post('after takeover');
    await carol.waitFor(is('say', { text: 'after takeover' }), 'carol sees alice');
    expect(shown(sb, 'kept')).toHaveLength(1);
  });
});
