/**
 * Secure mode end to end with real peer-client processes (docs/security.md): failover keeps working
 * with TLS and sealed PDUs, and secure and plain peers on one discovery group ignore each other.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNetworkKeys, generateNetworkKey } from '@ims/secure';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, randomDiscoveryPort, shown, spawnPeer, spawnSecurePeer, type EventLine, type PeerProcess, type SecureNet } from './peer-process.js';

let peers: PeerProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await killAll(peers);
  peers = [];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const is = (event: string, fields: Record<string, unknown> = {}) => (e: EventLine) =>
  e.event === event && Object.entries(fields).every(([k, v]) => e[k] === v);

function secureNet(discoveryPort = randomDiscoveryPort()): SecureNet {
  const dir = mkdtempSync(join(tmpdir(), 'ims-secure-peers-'));
  dirs.push(dir);
  const keyFile = join(dir, 'network.key');
  writeFileSync(keyFile, formatNetworkKeys([generateNetworkKey()]), { mode: 0o600 });
  return { discoveryPort, intervalMs: 100, keyFile, dir };
}

function start(p: PeerProcess): PeerProcess {
  peers.push(p);
  return p;
}

describe('peer-client in secure mode', () => {
  it('SIGKILL of the host: every member ends up on the standby with the history, over TLS', { timeout: 90_000 }, async () => {
    const net = secureNet();
    const srv = start(spawnSecurePeer('srv', ['chat', '#room', '--json'], net));
    await srv.waitFor(is('joined', { host: srv.id }), 'joined on itself', 30_000);
    const clients: PeerProcess[] = [];
    for (const name of ['c1', 'c2', 'c3']) {
      const c = start(spawnSecurePeer(name, ['chat', '#room', '--server', srv.id, '--json'], net));
      clients.push(c);
      await c.waitFor(is('joined', { host: srv.id }), `${name} joined on srv`, 30_000);
    }
    await Promise.all(clients.map((c) => c.waitFor((e) => e.event === 'standby' && typeof e['standby'] === 'string' && e['standby'] !== srv.id, 'a standby')));
    const standby = String(clients[2]?.events.filter((e) => e.event === 'standby').at(-1)?.['standby']);
    expect(clients.map((c) => c.id)).toContain(standby);
    const [c1] = clients as [PeerProcess];
    c1.post('before');
    await Promise.all(clients.map((c) => c.waitFor(is('say', { text: 'before', author: c1.id }), 'say before')));
    srv.proc.kill('SIGKILL');
    await Promise.all(clients.map((c) => c.waitFor(is('failover', { host: standby, from: srv.id }), `failover to the standby`, 30_000)));
    c1.post('after');
    await Promise.all(clients.map((c) => c.waitFor(is('say', { text: 'after' }), 'say after')));
    for (const c of clients) expect(shown(c, 'before'), c.id).toHaveLength(1);
  });

  it('secure and plain peers on one group ignore each other, and each side chats', { timeout: 90_000 }, async () => {
    const net = secureNet();
    const plainNet = { discoveryPort: net.discoveryPort, intervalMs: net.intervalMs };
    const ann = start(spawnSecurePeer('ann', ['chat', '#lobby', '--json'], net));
    const pat = start(spawnPeer('pat', ['chat', '#lobby', '--json'], plainNet));
    await ann.waitFor(is('joined', { host: ann.id }), 'ann hosts her #lobby', 30_000);
    await pat.waitFor(is('joined', { host: 'pat' }), 'pat hosts his #lobby', 30_000);
    const bob = start(spawnSecurePeer('bob', ['chat', '#lobby', '--server', ann.id, '--json'], net));
    await bob.waitFor(is('joined', { host: ann.id }), 'bob joins on ann', 30_000);
    bob.post('secure hello');
    pat.post('plain hello');
    await ann.waitFor(is('say', { text: 'secure hello', author: bob.id }), 'ann sees bob');
    // A plain peer asking for ann by ID finds no such host: it never saw her PDUs.
    const probe = start(spawnPeer('probe', ['--join-timeout', '1500', 'chat', '#lobby', '--server', ann.id, '--json'], plainNet));
    expect(await probe.exited).not.toBe(0);
    expect(shown(ann, 'plain hello')).toEqual([]);
    expect(shown(pat, 'secure hello')).toEqual([]);
    for (const p of [ann, bob, pat]) expect(p.proc.exitCode, `${p.id} still running`).toBeNull();
  });
});
