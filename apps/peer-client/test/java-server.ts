/**
 * Test imitation of the draft authors' Java channel server (docs/protocol.md §7.2, §7.5, §7.6,
 * §7.7), written by us from what is known of its wire behaviour, for the interop tests only:
 * - TCP on a port in 8000–8999 (outside 49152–65535), on 127.0.0.1; `#Gruppe5` exists from the start;
 * - frames: u32 length counting UTF-16 code units, then UTF-8, no NUL after the last field; each
 *   frame in its own write; it reads one command per socket read and never reassembles a frame
 *   split over two reads (each such read is recorded in `problems`);
 * - never STANDBY: history SAYs after a JOIN, then nothing;
 * - a client is its TCP source address: the peer ID some CLIENT_NICK PDU came from at that
 *   address, else the address itself (JOIN's clientId is not read);
 * - PeerPDUs every 15 s (and at once when a JOIN creates a channel): SERVER_OPTION, with
 *   SERVER_CHANNELS every other round, then a Java array's `toString()` after the peer ID.
 * Loopback only: the multicast group is joined and sent to on 127.0.0.1 with TTL 1.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { decodePdu, MULTICAST_GROUP_V4 } from '@ims/codec';

/** One command the server read, by the client identity it gave the connection. */
export interface JavaReceived {
  readonly from: string;
  readonly cmd: string;
  readonly fields: readonly string[];
}

/** A running imitation. */
export interface JavaServer {
  readonly peerId: string;
  readonly port: number;
  /** Every command read, in order; a connection closed without EXIT adds `(closed without EXIT)`. */
  readonly received: JavaReceived[];
  /** Reads that did not hold exactly one whole frame (the real server would misread them). */
  readonly problems: string[];
  /** Resolves once `n` rounds of announcements have gone out (the first is round 1); rejects after `ms`. */
  waitForRound(n: number, ms: number): Promise<void>;
  /** A post by a member that is not on TCP here (an Android client): fanned out and kept as history. */
  say(authorId: string, text: string, channel?: string): void;
  /** Resolves with the first command (read already or later) matching `pred`; rejects after `ms`. */
  waitFor(pred: (r: JavaReceived) => boolean, what: string, ms?: number): Promise<JavaReceived>;
  close(): Promise<void>;
}

/** Options of {@link startJavaServer}. */
export interface JavaServerOptions {
  readonly discoveryPort: number;
  /** Its peer ID (a MAC address; '' on a machine without one). @default 'A6C44C67EA45' */
  readonly peerId?: string;
  /** ms between announcements. @default 15_000 */
  readonly intervalMs?: number;
  /**
   * When the first announcement goes out: at start, or once a client's PDU is heard (the server
   * starts just after the client: the test need not wait up to 15 s for its next round). @default 'start'
   */
  readonly firstAnnouncement?: 'start' | 'first-client';
  /** Posts `#Gruppe5` already holds. @default [] */
  readonly history?: readonly { readonly author: string; readonly text: string }[];
}

interface Channel {
  readonly members: Set<Socket>;
  readonly history: { author: string; text: string }[];
}

/** A Java frame: the length counts the UTF-16 units of `CMD\0f1\0…`, the bytes are its UTF-8; no final NUL. */
export function javaFrame(fields: readonly string[]): Buffer {
  const text = fields.join('\0');
  const body = Buffer.from(text, 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(text.length);
  return Buffer.concat([head, body]);
}

/** Starts the imitation; resolves once it listens (and, by default, has sent its first announcement). */
export async function startJavaServer(options: JavaServerOptions): Promise<JavaServer> {
  const peerId = options.peerId ?? 'A6C44C67EA45';
  const channels = new Map<string, Channel>([['#Gruppe5', { members: new Set(), history: [...(options.history ?? [])] }]]);
  const idAt = new Map<string, string>();
  const received: JavaReceived[] = [];
  const problems: string[] = [];
  const waiters: { pred: (r: JavaReceived) => boolean; resolve: (r: JavaReceived) => void }[] = [];
  const record = (r: JavaReceived): void => {
    received.push(r);
    for (const w of waiters.slice()) {
      if (!w.pred(r)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(r);
    }
  };
  const fanOut = (ch: Channel, author: string, text: string): void => {
    ch.history.push({ author, text });
    for (const m of ch.members) m.write(javaFrame(['SAY', author, text]));
  };
  let startAnnouncing: (() => void) | undefined;
  const udp = await openGroup(options.discoveryPort, (msg, address) => {
    const d = decodePdu(msg);
    if (!d.ok || d.value.peerId === peerId || !d.value.options.some((o) => o.type === 'CLIENT_NICK')) return;
    idAt.set(address, d.value.peerId);
    startAnnouncing?.();
  });
  let port = 0;
  let round = 0;
  const roundWaiters: { n: number; resolve: () => void }[] = [];
  const announce = (): void => {
    const names = [...channels.keys()];
    const head = [...Buffer.from(peerId, 'latin1'), 0];
    const server = [0x10, port >> 8, port & 0xff, ...(round % 2 === 0 ? [0x11, names.length, ...names.flatMap((n) => [...Buffer.from(n), 0])] : [])];
    udp.send(Uint8Array.from([...head, ...server]), options.discoveryPort, MULTICAST_GROUP_V4);
    udp.send(Uint8Array.from([...head, ...Buffer.from(`[B@${(0x755324e + round).toString(16)}[B@784c7a5d`, 'latin1')]), options.discoveryPort, MULTICAST_GROUP_V4);
    round++;
    for (const w of roundWaiters.filter((x) => x.n <= round)) {
      roundWaiters.splice(roundWaiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const onConnection = (sock: Socket): void => {
    const from = (): string => idAt.get(sock.remoteAddress ?? '') ?? sock.remoteAddress ?? '?';
    let channel: Channel | undefined;
    let exited = false;
    sock.on('data', (chunk: Buffer) => {
      const fields = oneFrame(chunk);
      if (fields === undefined) {
        problems.push(`a read of ${chunk.length} bytes is not one whole frame: ${JSON.stringify(chunk.toString('latin1'))}`);
        return;
      }
      const [cmd = '', ...rest] = fields;
      record({ from: from(), cmd, fields: rest });
      if (cmd === 'JOIN' && channel === undefined && rest[0] !== undefined) {
        const created = !channels.has(rest[0]);
        channel = channels.get(rest[0]) ?? { members: new Set(), history: [] };
        channels.set(rest[0], channel);
        channel.members.add(sock);
        for (const p of channel.history) sock.write(javaFrame(['SAY', p.author, p.text]));
        if (created) announce();
      } else if (cmd === 'SAY' && channel !== undefined) fanOut(channel, from(), rest[0] ?? '');
      else if (cmd === 'EXIT') {
        exited = true;
        channel?.members.delete(sock);
        sock.end();
      }
    });
    sock.on('error', (err) => problems.push(`socket error: ${err.message}`));
    sock.on('close', () => {
      channel?.members.delete(sock);
      if (!exited) record({ from: from(), cmd: '(closed without EXIT)', fields: [] });
    });
  };
  const tcp = createServer(onConnection);
  port = await listenInRange(tcp);
  let timer: NodeJS.Timeout | undefined;
  startAnnouncing = (): void => {
    startAnnouncing = undefined;
    announce();
    timer = setInterval(announce, options.intervalMs ?? 15_000);
  };
  if ((options.firstAnnouncement ?? 'start') === 'start') startAnnouncing();
  return {
    peerId,
    port,
    received,
    problems,
    waitForRound: (n, ms) =>
      round >= n
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            roundWaiters.push({ n, resolve });
            setTimeout(() => reject(new Error(`java server: round ${n} not announced within ${ms} ms`)), ms).unref();
          }),
    say: (author, text, name = '#Gruppe5') => {
      const ch = channels.get(name);
      if (ch) fanOut(ch, author, text);
    },
    waitFor(pred, what, ms = 15_000) {
      const found = received.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.push(w);
        setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`java server: no ${what} within ${ms} ms; read: ${JSON.stringify(received)}; problems: ${JSON.stringify(problems)}`));
        }, ms).unref();
      });
    },
    close: async () => {
      clearInterval(timer);
      udp.close();
      for (const ch of channels.values()) for (const m of ch.members) m.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

/** The fields of `chunk` when it is exactly one frame (Java length or byte length, final NUL or not). */
function oneFrame(chunk: Buffer): string[] | undefined {
  if (chunk.length < 4) return undefined;
  const length = chunk.readUInt32BE(0);
  const body = chunk.subarray(4);
  const text = body.toString('utf8');
  // ims clients count bytes and end with NUL; a Java peer counts UTF-16 units without it.
  if (body.length !== length && text.length !== length) return undefined;
  const fields = text.split('\0');
  if (body.at(-1) === 0) fields.pop();
  return fields;
}

async function listenInRange(tcp: Server): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    // 8000 as the real one; else a port whose low byte is below 0xC0, which no reader takes for a
    // little-endian one (docs/protocol.md §7.4: 8000 = 1f 40 is read as it is).
    const port = attempt === 0 ? 8_000 : 8_000 + 256 * Math.floor(Math.random() * 4) + Math.floor(Math.random() * 0xc0);
    const err = await new Promise<Error | undefined>((resolve) => {
      tcp.once('error', resolve);
      tcp.listen({ host: '127.0.0.1', port }, () => {
        tcp.removeListener('error', resolve);
        resolve(undefined);
      });
    });
    if (err === undefined) return port;
    if (attempt >= 20) throw err;
  }
}

async function openGroup(port: number, onMessage: (msg: Buffer, address: string) => void): Promise<UdpSocket> {
  const s = createSocket({ type: 'udp4', reuseAddr: true });
  s.on('message', (msg, rinfo) => onMessage(msg, rinfo.address));
  await new Promise<void>((resolve) => s.bind({ port, address: process.platform === 'linux' ? MULTICAST_GROUP_V4 : '0.0.0.0' }, resolve));
  s.addMembership(MULTICAST_GROUP_V4, '127.0.0.1');
  s.setMulticastInterface('127.0.0.1');
  s.setMulticastTTL(1);
  s.setMulticastLoopback(true);
  return s;
}
