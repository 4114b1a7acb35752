/**
 * Secure mode on a real channel-server (docs/security.md): the attacks of the hardening work that
 * rely on reading or forging, run against it: impersonation by clientId, keyless and foreign
 * connections, forged PeerPDUs, and sniffing the wire (a proxy in the middle of a member's TCP
 * connection and a listener on the discovery group) for the chat's text, names and nick.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { type ConnectionOptions, connect as connectTls } from 'node:tls';
import { join as joinPath } from 'node:path';
import { MULTICAST_GROUP_V4, type ServerCommand } from '@ims/codec';
import { type SecureMode, formatNetworkKeys, generateIdentity, generateNetworkKey, secureMode } from '@ims/secure';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loopbackSender } from './fuzz-inputs.js';
import { ServerProcess, TestClient, WAIT_MS, privateDiscoveryPort, scrapeUntil } from './harness.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const hasStandby = (r: readonly ServerCommand[]) => r.some((c) => c.cmd === 'STANDBY');
const hasSay = (author: string, text: string) => (r: readonly ServerCommand[]) => r.some((c) => c.cmd === 'SAY' && c.authorId === author && c.text === text);
const hasError = (code: string) => (r: readonly ServerCommand[]) => r.some((c) => c.cmd === 'ERROR' && c.reason.startsWith(`${code}:`));

interface Network {
  readonly key: ReturnType<typeof generateNetworkKey>;
  readonly keyFile: string;
  readonly dir: string;
  member(): SecureMode;
}

function network(): Network {
  const dir = mkdtempSync(joinPath(tmpdir(), 'ims-secure-int-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const key = generateNetworkKey();
  const keyFile = joinPath(dir, 'network.key');
  writeFileSync(keyFile, formatNetworkKeys([key]), { mode: 0o600 });
  return { key, keyFile, dir, member: () => secureMode({ identity: generateIdentity(), keys: [key] }) };
}

async function startSecure(net: Network, extra: readonly string[] = []): Promise<ServerProcess & { port: number; id: string; url: string; dport: number }> {
  const dport = privateDiscoveryPort();
  const s = await ServerProcess.start([
    ...['--port', '0', '--http-port', '0', '--discovery-port', String(dport), '--announce-interval', '250'],
    ...['--network-key-file', net.keyFile, '--data-dir', joinPath(net.dir, 'data'), '--name', 'vault', '--log-level', 'debug'],
    ...extra,
  ]);
  cleanup.push(() => s.kill());
  const listening = await s.waitForLine((l) => l.event === 'listening');
  return Object.assign(s, { url: `http://127.0.0.1:${listening.httpPort as number}/metrics`, dport });
}

async function join(port: number, mode: SecureMode, channel: string, localAddress?: string): Promise<TestClient> {
  const c = await TestClient.connectSecure(port, mode, localAddress);
  cleanup.push(() => c.destroy());
  c.send({ cmd: 'JOIN', channel, clientId: mode.identity.peerId });
  await c.waitFor(`${channel} STANDBY`, hasStandby);
  return c;
}

describe('channel-server in secure mode', () => {
  let net: Network;
  beforeEach(() => {
    net = network();
  });

  it('announces a key-derived peer ID and serves members who prove theirs', { timeout: 60_000 }, async () => {
    const s = await startSecure(net);
    expect(s.id).toMatch(/^k[a-z2-7]{52}$/);
    const [ann, bob] = [net.member(), net.member()];
    const a = await join(s.port, ann, '#ops');
    const b = await join(s.port, bob, '#ops');
    b.send({ cmd: 'SAY', text: 'hello over TLS' });
    await a.waitFor('the post', hasSay(bob.identity.peerId, 'hello over TLS'));
  });

  it('refuses a JOIN naming another peer ID (IDENTITY_MISMATCH), even while that member is away', { timeout: 60_000 }, async () => {
    const s = await startSecure(net);
    const [alice, bob, mallory] = [net.member(), net.member(), net.member()];
    const a = await join(s.port, alice, '@team');
    a.send({ cmd: 'INVITE', clientIds: [bob.identity.peerId] });
    a.send({ cmd: 'SAY', text: 'the secret plan' });
    await a.waitFor('echo', hasSay(alice.identity.peerId, 'the secret plan'));
    a.destroy(); // plain mode's hole: an admitted ID that is not connected could be claimed
    const m = await TestClient.connectSecure(s.port, mallory, '127.0.0.2');
    cleanup.push(() => m.destroy());
    m.send({ cmd: 'JOIN', channel: '@team', clientId: bob.identity.peerId });
    await m.waitFor('IDENTITY_MISMATCH', hasError('IDENTITY_MISMATCH'));
    await m.closed;
    expect(m.says()).toEqual([]);
    // bob himself, proven, is admitted and reads the history.
    const b = await join(s.port, bob, '@team');
    expect(b.says()).toContain(`${alice.identity.peerId}: the secret plan`);
    await scrapeUntil(s.url, /^ims_errors_total\{code="IDENTITY_MISMATCH"\} 1$/m);
  });

  it('drops keyless and foreign connections at the handshake, counted, and keeps serving', { timeout: 60_000 }, async () => {
    const s = await startSecure(net);
    const plain = connect({ host: '127.0.0.1', port: s.port, localAddress: '127.0.0.3' });
    plain.on('error', () => undefined);
    let got = 0;
    plain.on('data', (b: Buffer) => (got += b.length > 0 && b[0] !== 0x16 ? b.length : 0));
    plain.write(Buffer.from('\0\0\0\x11JOIN\0#ops\0intruder\0'));
    await new Promise<void>((resolve) => plain.once('close', () => resolve()));
    expect(got).toBe(0); // not one frame in clear
    // A member of another network refuses our server's certificate itself...
    const foreign = network().member();
    await expect(TestClient.connectSecure(s.port, foreign, '127.0.0.4')).rejects.toThrow(/certificate/);
    // ...and an attacker that accepts any certificate is refused by the server: closed, not one frame.
    // localAddress is a socket.connect() option that tls.connect passes on (its type lacks it).
    const attackerOptions: ConnectionOptions & { localAddress: string } = { host: '127.0.0.1', port: s.port, localAddress: '127.0.0.6', ...foreign.tls(), ca: [], rejectUnauthorized: false, minVersion: 'TLSv1.3' };
    const attacker = connectTls(attackerOptions);
    let frames = 0;
    attacker.on('data', () => frames++);
    attacker.on('error', () => undefined);
    attacker.once('secureConnect', () => attacker.write(Buffer.from('\0\0\0\x11JOIN\0#ops\0intruder\0')));
    await new Promise<void>((resolve) => attacker.once('close', () => resolve()));
    expect(frames).toBe(0);
    await scrapeUntil(s.url, /^ims_errors_total\{code="SECURE_HANDSHAKE"\} [3-9]\d*$/m);
    const member = await join(s.port, net.member(), '#ops');
    expect(hasStandby(member.received)).toBe(true);
    expect(s.lines.filter((l) => l.event === 'tcp.handshake_failed').length).toBeGreaterThanOrEqual(1);
  });

  it('drops forged PeerPDUs unread: plain ones and ones sealed under another key', { timeout: 60_000 }, async () => {
    const s = await startSecure(net);
    const sender = await loopbackSender('127.0.0.5');
    cleanup.push(() => sender.close());
    const forged = new TextEncoder().encode('forged-server\0\0\0');
    await sender.send(forged, s.dport);
    await sender.send(network().member().sealer.seal(forged), s.dport);
    await scrapeUntil(s.url, /^ims_discovery_abuse_total\{cause="unauthenticated"\} [2-9]\d*$/m);
    const body = await (await fetch(s.url)).text();
    expect(body).toMatch(/^ims_discovery_abuse_total\{cause="malformed"\} 0$/m);
  });

  it('shows nothing of posts, channel names, nicks or the server name to a sniffer', { timeout: 60_000 }, async () => {
    const s = await startSecure(net);
    // UDP: everything the server multicasts on the group.
    const udp = createSocket({ type: 'udp4', reuseAddr: true });
    const datagrams: Buffer[] = [];
    udp.on('message', (m) => datagrams.push(m));
    await new Promise<void>((resolve) => udp.bind(s.dport, resolve));
    udp.addMembership(MULTICAST_GROUP_V4, '127.0.0.1');
    cleanup.push(() => udp.close());
    // TCP: a proxy between one member and the server records both directions.
    const wire: Buffer[] = [];
    const proxy: Server = createServer((inbound: Socket) => {
      const outbound = connect({ host: '127.0.0.1', port: s.port });
      inbound.on('data', (b: Buffer) => (wire.push(b), outbound.write(b)));
      outbound.on('data', (b: Buffer) => (wire.push(b), inbound.write(b)));
      for (const sock of [inbound, outbound]) sock.on('error', () => undefined).on('close', () => (inbound.destroy(), outbound.destroy()));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((r) => proxy.close(r)));
    const proxyPort = (proxy.address() as { port: number }).port;
    const [ann, bob] = [net.member(), net.member()];
    const a = await join(s.port, ann, '#project-falcon');
    const b = await join(proxyPort, bob, '#project-falcon');
    b.send({ cmd: 'SAY', text: 'launch code 4711' });
    a.send({ cmd: 'SAY', text: 'roger that, falcon' });
    await b.waitFor("ann's post through the proxy", hasSay(ann.identity.peerId, 'roger that, falcon'));
    await a.waitFor("bob's post", hasSay(bob.identity.peerId, 'launch code 4711'));
    // The channel is announced in the server's PDUs: wait for some of them.
    const until = Date.now() + WAIT_MS;
    while (datagrams.length < 8 && Date.now() < until) await new Promise((r) => udp.once('message', r));
    expect(datagrams.length).toBeGreaterThanOrEqual(8);
    expect(Buffer.concat(wire).length).toBeGreaterThan(1_000); // the proxy did carry the TLS records
    const captured = Buffer.concat([...wire, ...datagrams]);
    for (const secret of ['launch code 4711', 'roger that', '#project-falcon', 'project-falcon', 'vault', bob.identity.peerId, ann.identity.peerId, s.id, 'JOIN', 'SAY']) {
      expect(captured.includes(Buffer.from(secret)), secret).toBe(false);
    }
  });

  it('rotates the key and revokes a member on SIGHUP, without a restart; a bad file changes nothing', { timeout: 60_000 }, async () => {
    const revokedFile = joinPath(net.dir, 'revoked');
    writeFileSync(revokedFile, '# none yet\n');
    const s = await startSecure(net, ['--revoked-peers-file', revokedFile]);
    const next = generateNetworkKey();
    const moved = secureMode({ identity: generateIdentity(), keys: [next, net.key] });
    await expect(TestClient.connectSecure(s.port, moved, '127.0.0.7').then((c) => c.closed)).resolves.toBeUndefined();
    const count = (event: string) => s.lines.filter((l) => l.event === event).length;
    /** SIGHUP, then wait for one more `expected` line than before. */
    const hup = async (expected: 'secure.reloaded' | 'secure.reload_failed'): Promise<void> => {
      const before = count(expected);
      s.child.kill('SIGHUP');
      await s.waitForLine(() => count(expected) > before);
    };
    // Rotation step 1 on the server: the new key accepted.
    writeFileSync(net.keyFile, formatNetworkKeys([net.key, next]), { mode: 0o600 });
    await hup('secure.reloaded');
    const m = await join(s.port, moved, '#ops', '127.0.0.7');
    const old = await join(s.port, net.member(), '#ops');
    m.send({ cmd: 'SAY', text: 'after the rotation' });
    await old.waitFor('the post across keys', hasSay(moved.identity.peerId, 'after the rotation'));
    // A bad key file: logged, nothing changes.
    writeFileSync(net.keyFile, 'garbage\n', { mode: 0o600 });
    await hup('secure.reload_failed');
    await join(s.port, secureMode({ identity: generateIdentity(), keys: [next, net.key] }), '#ops', '127.0.0.8');
    // Revocation: the revoked member's next connection is refused at the handshake.
    m.destroy();
    writeFileSync(net.keyFile, formatNetworkKeys([net.key, next]), { mode: 0o600 });
    writeFileSync(revokedFile, `${moved.identity.peerId}\n`);
    await hup('secure.reloaded');
    const refused = await TestClient.connectSecure(s.port, moved, '127.0.0.9');
    refused.send({ cmd: 'JOIN', channel: '#ops', clientId: moved.identity.peerId });
    await refused.closed;
    expect(refused.received).toEqual([]);
    expect(s.child.exitCode).toBeNull();
  });
});
