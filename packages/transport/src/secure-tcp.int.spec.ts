import { connect } from 'node:net';
import { once } from 'node:events';
import { createLogger } from '@ims/app-kit';
import { type ClientCommand, type ServerCommand, clientSideDecoder, encodeFrame, serverSideDecoder } from '@ims/codec';
import { type SecureMode, peerPolicy, secureMode, testNetwork } from '@ims/secure';
import { afterEach, describe, expect, it } from 'vitest';
import { describeTransport, failAfter } from '../test/describe-transport.js';
import { Accepted, Probe } from '../test/probe.js';
import type { Connection } from './connection.js';
import { dialingFrom } from './dialing-from.js';
import type { Refusal, Transport } from './transport.js';
import { secureTcpTransport } from './secure-tcp-transport.js';
import { tcpTransport } from './tcp-transport.js';

const network = testNetwork(3);
const [a, b, c] = network.modes as [SecureMode, SecureMode, SecureMode];
const outsider = testNetwork(1).modes[0] as SecureMode;

// The whole transport contract (frames, flush, graceful close, slow reader, idle, pause, caps,
// listener.close) over TLS; a refusal at accept fails the dial, since its frame is not TLS.
describeTransport('secureTcpTransport over loopback (TLS 1.3)', () => {
  const transport = secureTcpTransport(a);
  // Every 127.0.0.0/8 address is loopback on Linux: dials from 127.0.0.2 are another source.
  return { transport, address: '127.0.0.1', source: '127.0.0.1', elsewhere: dialingFrom(transport, '127.0.0.2'), wait: (p) => failAfter(p), refusalFailsDial: true };
});

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** Log lines written at warn and above, parsed. */
function recordingLogger() {
  const lines: { event: string; [k: string]: unknown }[] = [];
  const logger = createLogger({ level: 'warn', stream: { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[0]) } });
  return { lines, logger };
}

/** A secure listener of `mode`, what it accepts, refuses and logs. */
async function listen(mode: SecureMode, options: { handshakeTimeoutMs?: number; maxConnections?: number } = {}) {
  const { lines, logger } = recordingLogger();
  const listener = await secureTcpTransport(mode, { handshakeTimeoutMs: options.handshakeTimeoutMs }).listen<ClientCommand>({
    decoder: () => serverSideDecoder(),
    logger,
    maxConnections: options.maxConnections,
  });
  const accepted = new Accepted(listener);
  const refused: Refusal[] = [];
  let onRefused = (): void => undefined;
  listener.refused$.subscribe((r) => {
    refused.push(r);
    onRefused();
  });
  /** Resolves once `n` refusals were reported. */
  const refusals = (n: number): Promise<Refusal[]> =>
    failAfter(
      new Promise((resolve) => {
        onRefused = () => refused.length >= n && resolve(refused.slice());
        onRefused();
      }),
    );
  cleanup.push(() => listener.close(), () => accepted.stop());
  return { listener, accepted, refusals, lines };
}

const dial = (via: Transport, port: number, expectPeerId?: string) =>
  failAfter(via.dial<ServerCommand>({ host: '127.0.0.1', port, decoder: () => clientSideDecoder(), expectPeerId })).then((conn) => {
    cleanup.push(() => conn.destroy('test over'));
    return conn;
  });

/**
 * A dial the server refuses after judging the client's certificate. TLS 1.3: the client may finish
 * its side first, so the dial either fails or yields a connection the server ends at once, unread.
 */
async function expectRefusedByServer(dialing: Promise<Connection<ServerCommand>>): Promise<void> {
  const outcome = await dialing.then(
    async (conn) => {
      const probe = new Probe<ServerCommand>();
      conn.attach(probe);
      const info = await failAfter(probe.closing());
      return info.byPeer && probe.frames.length === 0;
    },
    (err: { code?: string }) => err.code,
  );
  expect([true, 'HANDSHAKE_FAILED']).toContain(outcome);
}

const HANDSHAKE_FAILED: Refusal = { address: '127.0.0.1', reason: 'handshake-failed', code: 'SECURE_HANDSHAKE' };

describe('secureTcpTransport', () => {
  it('carries frames both ways between members, each end showing the peer ID the other proved', async () => {
    const l = await listen(a);
    const client = await dial(secureTcpTransport(b), l.listener.port, a.identity.peerId);
    const server = await failAfter(l.accepted.next());
    expect(client.peerId).toBe(a.identity.peerId);
    expect(server.peerId).toBe(b.identity.peerId);
    const [cp, sp] = [new Probe<ServerCommand>(), new Probe<ClientCommand>()];
    client.attach(cp);
    server.attach(sp);
    client.write(encodeFrame({ cmd: 'JOIN', channel: '#a', clientId: b.identity.peerId }));
    expect(await failAfter(sp.receive(1))).toEqual([{ cmd: 'JOIN', channel: '#a', clientId: b.identity.peerId }]);
    server.write(encodeFrame({ cmd: 'SAY', authorId: a.identity.peerId, text: 'secret' }));
    expect(await failAfter(cp.receive(1))).toEqual([{ cmd: 'SAY', authorId: a.identity.peerId, text: 'secret' }]);
  });

  it('an owner attaching inside connections$ (as the host does) reads the frames sent with the handshake', async () => {
    const listener = await secureTcpTransport(a).listen<ClientCommand>({ decoder: () => serverSideDecoder() });
    cleanup.push(() => listener.close());
    const probe = new Probe<ClientCommand>();
    listener.connections$.subscribe((conn) => conn.attach(probe));
    const client = await dial(secureTcpTransport(b), listener.port);
    client.write(encodeFrame({ cmd: 'JOIN', channel: '#a' }));
    client.write(encodeFrame({ cmd: 'EXIT' }));
    expect(await failAfter(probe.receive(2))).toEqual([{ cmd: 'JOIN', channel: '#a' }, { cmd: 'EXIT' }]);
  });

  it('fails a dial with PEER_MISMATCH naming both IDs when the listener proves another peer ID', async () => {
    const l = await listen(a);
    const dialing = dial(secureTcpTransport(b), l.listener.port, c.identity.peerId);
    await expect(dialing).rejects.toMatchObject({ name: 'TransportError', code: 'PEER_MISMATCH' });
    await expect(dialing).rejects.toThrow(new RegExp(`${a.identity.peerId}.*${c.identity.peerId}`));
  });

  it('refuses a peer of another network at the handshake on both sides, counted each time and logged once', async () => {
    const l = await listen(a);
    const stranger = secureTcpTransport(outsider);
    await expect(dial(stranger, l.listener.port)).rejects.toMatchObject({ code: 'HANDSHAKE_FAILED' });
    await expect(dial(stranger, l.listener.port)).rejects.toMatchObject({ code: 'HANDSHAKE_FAILED' });
    expect(await l.refusals(2)).toEqual([HANDSHAKE_FAILED, HANDSHAKE_FAILED]);
    expect(l.lines.filter((line) => line.event === 'tcp.handshake_failed')).toMatchObject([{ level: 'warn', address: '127.0.0.1' }]);
    // And the other way: a member does not accept a listener of another network.
    const theirs = await listen(outsider);
    await expect(dial(secureTcpTransport(b), theirs.listener.port)).rejects.toMatchObject({ code: 'HANDSHAKE_FAILED' });
    expect(await theirs.refusals(1)).toEqual([HANDSHAKE_FAILED]);
    expect(l.listener.connectionCount + theirs.listener.connectionCount).toBe(0);
  });

  it('refuses a client whose certificate another network issued, even when it accepts ours', async () => {
    // Its certificate is issued by its first key, and it accepts our network's CA as a second one.
    const straddler = secureMode({ identity: outsider.identity, keys: [...outsider.keys, network.key] });
    const l = await listen(a);
    await expectRefusedByServer(dial(secureTcpTransport(straddler), l.listener.port));
    expect(await l.refusals(1)).toEqual([HANDSHAKE_FAILED]);
    expect(l.lines.find((line) => line.event === 'tcp.handshake_failed')?.cause).toMatch(/^certificate not verified/);
  });

  it('drops a plain client whose JOIN is no TLS, and serves a member next', async () => {
    const l = await listen(a);
    const plain = await dial(tcpTransport, l.listener.port);
    const probe = new Probe<ServerCommand>();
    plain.attach(probe);
    plain.write(encodeFrame({ cmd: 'JOIN', channel: '#a', clientId: 'p1' }));
    expect(await failAfter(probe.closing())).toMatchObject({ byPeer: true });
    expect(probe.frames).toEqual([]);
    expect(await l.refusals(1)).toEqual([HANDSHAKE_FAILED]);
    const member = await dial(secureTcpTransport(b), l.listener.port, a.identity.peerId);
    expect((await failAfter(l.accepted.next())).peerId).toBe(b.identity.peerId);
    expect(member.peerId).toBe(a.identity.peerId);
  });

  it('destroys a connection that never handshakes at the handshake timeout; meanwhile it holds its slot', async () => {
    const l = await listen(a, { handshakeTimeoutMs: 300, maxConnections: 1 });
    const silent = connect({ host: '127.0.0.1', port: l.listener.port });
    silent.on('error', () => silent.destroy());
    cleanup.push(() => silent.destroy());
    await failAfter(once(silent, 'connect'));
    // Its slot is taken: a member is refused by the cap while the silent one is handshaking.
    await expect(dial(secureTcpTransport(b), l.listener.port)).rejects.toMatchObject({ code: 'HANDSHAKE_FAILED' });
    expect((await l.refusals(1))[0]?.reason).toBe('max-connections');
    await failAfter(once(silent, 'close'));
    expect((await l.refusals(2))[1]).toEqual(HANDSHAKE_FAILED);
    expect(l.listener.connectionCount).toBe(0);
    expect(l.lines.find((line) => line.event === 'tcp.handshake_failed')?.cause).toMatch(/no handshake within 300 ms/);
  });

  it('refuses a member its policy revokes: its connection never reaches the owner', async () => {
    const strict = secureMode({ identity: a.identity, keys: [network.key], policy: peerPolicy({ revoked: [b.identity.peerId] }) });
    const l = await listen(strict);
    await expectRefusedByServer(dial(secureTcpTransport(b), l.listener.port));
    expect(await l.refusals(1)).toEqual([HANDSHAKE_FAILED]);
    expect(l.lines.find((line) => line.event === 'tcp.handshake_failed')?.cause).toBe('certificate not admitted');
    const member = await dial(secureTcpTransport(c), l.listener.port, a.identity.peerId);
    expect((await failAfter(l.accepted.next())).peerId).toBe(c.identity.peerId);
    expect(member.isClosing).toBe(false);
  });

  it('takes a reloaded key file for the connections that follow: a rotation without a restart', async () => {
    const next = testNetwork(0).key;
    const host = secureMode({ identity: testNetwork(1).modes[0]!.identity, keys: [network.key] });
    const onlyNext = secureMode({ identity: testNetwork(1).modes[0]!.identity, keys: [next] });
    const l = await listen(host);
    const transport = secureTcpTransport(host); // made before the reload: its dials must follow it
    const nextListener = await listen(onlyNext);
    await expectRefusedByServer(dial(secureTcpTransport(onlyNext), l.listener.port));
    await expect(failAfter(transport.dial<ServerCommand>({ host: '127.0.0.1', port: nextListener.listener.port, decoder: () => clientSideDecoder() }))).rejects.toMatchObject({ code: 'HANDSHAKE_FAILED' });
    host.reload({ keys: [next, network.key] });
    expect((await dial(secureTcpTransport(onlyNext), l.listener.port, host.identity.peerId)).peerId).toBe(host.identity.peerId);
    expect((await dial(transport, nextListener.listener.port, onlyNext.identity.peerId)).peerId).toBe(onlyNext.identity.peerId);
  });

  it('plain tcpTransport ignores expectPeerId and proves nothing', async () => {
    const l = await tcpTransport.listen<ClientCommand>({ decoder: () => serverSideDecoder() });
    const accepted = new Accepted(l);
    cleanup.push(() => l.close(), () => accepted.stop());
    const conn = await dial(tcpTransport, l.port, a.identity.peerId);
    expect(conn.peerId).toBeUndefined();
    expect((await failAfter(accepted.next())).peerId).toBeUndefined();
  });
});
