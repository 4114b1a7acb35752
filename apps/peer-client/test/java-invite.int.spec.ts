/**
 * Interop (issue 12): an invitation delivered the way the draft authors' Java server delivers it
 * (docs/protocol.md §3.8, §7): not a multicast SERVER_INVITE but a TCP connection to the invitee's
 * address on the discovery port carrying one PeerPDU, repeated three times one interval apart; the
 * Java server exits when nobody listens there. The imitation below is written from those facts.
 */
import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, randomDiscoveryPort, spawnPeer, type EventLine, type PeerProcess } from './peer-process.js';

const INTERVAL_MS = 100;
/** The Java server repeats every 15 s; scaled down so three deliveries fit the test's budget. */
const JAVA_REPEAT_MS = 500;
let peers: PeerProcess[] = [];

let cleanupServer: (() => void) | undefined;

afterEach(async () => {
  await killAll(peers);
  peers = [];
  cleanupServer?.();
  cleanupServer = undefined;
});

function start(id: string, args: readonly string[], net: { discoveryPort: number; intervalMs: number }): PeerProcess {
  const p = spawnPeer(id, args, net);
  peers.push(p);
  return p;
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** The Java server's invitation PDU: its empty peer ID (no MAC address), SERVER_OPTION `port` (its 8000), SERVER_INVITE #Gruppe5 for `invitee`. */
const javaInvite = (invitee: string, port = 8000): Uint8Array =>
  Uint8Array.from([0x00, 0x10, port >> 8, port & 0xff, 0x12, ...ascii('#Gruppe5'), 0x00, 0x01, ...ascii(invitee), 0x00]);

/**
 * One delivery: connect to 127.0.0.1:`port`, write the PDU, close, and resolve once the invitee
 * closed too (it has read the PDU by then). A refused connect (the invitee not listening yet) is
 * retried until `deadline`, when the Java server would have given up: the test fails.
 */
function deliver(port: number, pdu: Uint8Array, host = '127.0.0.1', deadline = Date.now() + 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    // From 127.0.0.1 always: the invitation's endpoint is the deliverer's address.
    const s = connect({ host, port, localAddress: '127.0.0.1' }, () => s.end(pdu));
    s.once('close', (hadError) => {
      if (!hadError) resolve();
      else if (Date.now() > deadline) reject(new Error(`nobody accepted the invitation on TCP ${port}`));
      else setTimeout(() => deliver(port, pdu, host, deadline).then(resolve, reject), 20);
    });
    s.on('error', () => undefined);
  });
}

/** Three deliveries, one Java interval apart. */
async function deliverThrice(port: number, pdu: Uint8Array): Promise<void> {
  for (let i = 0; i < 3; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, JAVA_REPEAT_MS));
    await deliver(port, pdu);
  }
}

/**
 * The Java server's TCP side, on a free port instead of its 8000 but like it outside 49152–65535
 * and with a low byte below 0xC0 (so no reading of it is little-endian, docs/protocol.md §7.4):
 * `first` resolves with the first bytes a client sends and its source address (rejects after 10 s).
 */
async function javaTcpSide(): Promise<{ port: number; first: Promise<{ from: string; bytes: number[] }> }> {
  const sockets: Socket[] = [];
  let arrived: (v: { from: string; bytes: number[] }) => void = () => undefined;
  const first = new Promise<{ from: string; bytes: number[] }>((resolve, reject) => {
    arrived = resolve;
    setTimeout(() => reject(new Error('no client wrote to the Java server within 10 s')), 10_000).unref();
  });
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    s.once('data', (b: Buffer) => arrived({ from: s.remoteAddress ?? '?', bytes: [...b] }));
  });
  for (let tries = 0; ; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((port & 0xff) >= 0xc0) continue;
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) break;
    if (tries > 20) throw new Error('no free port for the Java server imitation');
  }
  cleanupServer = () => {
    for (const s of sockets) s.destroy();
    server.close();
  };
  return { port: (server.address() as { port: number }).port, first };
}

const line = (p: PeerProcess, re: RegExp, what: string): Promise<EventLine> =>
  p.waitFor((e) => e.event === 'not-json' && re.test(String(e['line'])), what);

describe('invitations the Java way', () => {
  it('interactive: an invitation delivered three times over TCP is shown once, with the /join line', async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    const me = start('me', [], net);
    await line(me, /^-- you are n-me \(me\)/, 'greeting');
    await deliverThrice(net.discoveryPort, javaInvite('me'));
    // /list's answer comes after every delivery was handled: the notice must be there, once.
    me.post('/list');
    await line(me, /#Gruppe5 on 127\.0\.0\.1:8000 {2}\(\/join #Gruppe5 127\.0\.0\.1:8000\)/, 'the invitation in /list');
    const notices = me.events.filter((e) => e.event === 'not-json' && String(e['line']).includes('invites you to #Gruppe5'));
    expect(notices.map((e) => e['line'])).toEqual(['-- 127.0.0.1:8000 invites you to #Gruppe5: /join #Gruppe5 127.0.0.1:8000']);
  }, 30_000);

  it('/join of the invitation JOINs at its endpoint, from our --interface address', async () => {
    const java = await javaTcpSide();
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    // 127.0.0.2 is loopback too (127.0.0.0/8), but not the address the OS would pick on its own.
    const me = start('me', ['--interface', '127.0.0.2'], net);
    await line(me, /^-- you are n-me \(me\)/, 'greeting');
    await deliver(net.discoveryPort, javaInvite('me', java.port), '127.0.0.2');
    await line(me, /invites you to #Gruppe5/, 'the notice');
    me.post(`/join #Gruppe5 127.0.0.1:${java.port}`);
    const first = await java.first;
    // JOIN #Gruppe5 with our ID as clientId (docs/protocol.md §2.4), from the --interface address.
    const join = [...ascii('JOIN'), 0x00, ...ascii('#Gruppe5'), 0x00, ...ascii('me'), 0x00];
    expect(first.from).toBe('127.0.0.2');
    expect(first.bytes.slice(0, 4 + join.length)).toEqual([0, 0, 0, join.length, ...join]);
  }, 30_000);

  it('lobby --json lists it; one naming another peer is not ours', async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    const lobby = start('me', ['lobby', '--json', '--no-host', '--wait', '2000'], net);
    await deliver(net.discoveryPort, javaInvite('someone-else'));
    await deliver(net.discoveryPort, javaInvite('me'));
    expect(await lobby.exited).toBe(0);
    expect(lobby.events[0]?.['invitations']).toEqual([{ channel: '#Gruppe5', serverId: '127.0.0.1:8000' }]);
  }, 30_000);
});
