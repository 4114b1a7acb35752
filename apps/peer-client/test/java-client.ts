/**
 * Test imitation of the draft authors' Android client classes run on a desktop JVM (issue 12),
 * written by us from what is known of their wire behaviour, for the interop tests only: it finds
 * a server by its PeerPDU (SERVER_OPTION, from the datagram's source address), announces
 * CLIENT_NICK, and speaks Java frames (u32 length counting UTF-16 code units, UTF-8 bytes, no NUL
 * after the last field), JOIN without a clientId, one command per write. It reads ims frames
 * (byte length, final NUL) and reassembles them. Loopback only: it runs from 127.0.0.2 (its own
 * machine: a server tells a client without clientId by its address, docs/protocol.md §2.4), TTL 1.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { decodePdu, MULTICAST_GROUP_V4 } from '@ims/codec';
import { javaFrame } from './java-server.js';

/** A frame the client read from its server: the command and its fields. */
export interface ReadFrame {
  readonly cmd: string;
  readonly fields: readonly string[];
}

/** A connected imitation. */
export interface JavaClient {
  /** Every frame read, in order. */
  readonly frames: ReadFrame[];
  /** Writes one command as one Java frame in one write. */
  send(...fields: string[]): void;
  /** Resolves with the first frame (read already or later) matching `pred`; rejects after `ms`. */
  waitFor(pred: (f: ReadFrame) => boolean, what: string, ms?: number): Promise<ReadFrame>;
  /** Resolves when the server closed the connection. */
  readonly closed: Promise<void>;
  close(): void;
}

/** Waits for a PeerPDU of `serverId` with SERVER_OPTION, announcing `nick` as `peerId` meanwhile; then connects. */
export async function startJavaClient(options: { discoveryPort: number; peerId: string; nick: string; serverId: string }): Promise<JavaClient> {
  const udp = await joinGroup(options.discoveryPort);
  const out = await sender();
  const hello = Uint8Array.from([...Buffer.from(options.peerId), 0, 0x01, ...Buffer.from(options.nick), 0]);
  const announce = (): void => void out.send(hello, options.discoveryPort, MULTICAST_GROUP_V4);
  announce();
  const timer = setInterval(announce, 1_000);
  const endpoint = await new Promise<{ address: string; port: number }>((resolve) => {
    udp.on('message', (msg, rinfo) => {
      const d = decodePdu(msg);
      const server = d.ok && d.value.peerId === options.serverId ? d.value.options.find((o) => o.type === 'SERVER_OPTION') : undefined;
      if (server?.type === 'SERVER_OPTION') resolve({ address: rinfo.address, port: server.port });
    });
  });
  const sock = connect({ host: endpoint.address, port: endpoint.port, localAddress: ADDRESS });
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
  void closed.then(() => {
    clearInterval(timer);
    udp.close();
    out.close();
  });
  return readFrames(sock, closed);
}

function readFrames(sock: Socket, closed: Promise<void>): JavaClient {
  const frames: ReadFrame[] = [];
  const waiters: { pred: (f: ReadFrame) => boolean; resolve: (f: ReadFrame) => void }[] = [];
  let buf = Buffer.alloc(0);
  sock.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      const body = buf.subarray(4, 4 + buf.readUInt32BE(0));
      buf = buf.subarray(4 + body.length);
      const fields = body.toString('utf8').split('\0');
      if (body.at(-1) === 0) fields.pop();
      const [cmd = '', ...rest] = fields;
      const f = { cmd, fields: rest };
      frames.push(f);
      for (const w of waiters.slice()) {
        if (!w.pred(f)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(f);
      }
    }
  });
  sock.on('error', () => sock.destroy());
  return {
    frames,
    closed,
    send: (...fields) => void sock.write(javaFrame(fields)),
    close: () => sock.destroy(),
    waitFor(pred, what, ms = 15_000) {
      const found = frames.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.push(w);
        setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`java client: no ${what} within ${ms} ms; read: ${JSON.stringify(frames)}`));
        }, ms).unref();
      });
    },
  };
}

/** The imitated client's own machine. */
const ADDRESS = '127.0.0.2';

/** Its PDUs leave from {@link ADDRESS}, on the loopback interface. */
async function sender(): Promise<UdpSocket> {
  const s = createSocket({ type: 'udp4' });
  await new Promise<void>((resolve) => s.bind({ address: ADDRESS, port: 0 }, resolve));
  s.setMulticastInterface('127.0.0.1');
  s.setMulticastTTL(1);
  s.setMulticastLoopback(true);
  return s;
}

async function joinGroup(port: number): Promise<UdpSocket> {
  const s = createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((resolve) => s.bind({ port, address: process.platform === 'linux' ? MULTICAST_GROUP_V4 : '0.0.0.0' }, resolve));
  s.addMembership(MULTICAST_GROUP_V4, '127.0.0.1');
  s.setMulticastInterface('127.0.0.1');
  s.setMulticastTTL(1);
  s.setMulticastLoopback(true);
  return s;
}
