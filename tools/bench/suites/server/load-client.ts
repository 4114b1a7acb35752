/**
 * Load-generator clients: raw TCP connections that JOIN a channel, post, and count the SAY frames
 * they get back. Framing is written out here on purpose: the load side must cost the same against
 * every target, so it depends on nothing under test.
 */
import { connect, type Socket } from 'node:net';

/** Encode one client → server frame (docs/protocol.md §2: u32 BE length, NUL-terminated fields). */
export function encode(...fields: string[]): Buffer {
  const body = Buffer.from(fields.map((f) => f + '\0').join(''), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/** One benchmark client joined to one channel. */
export interface LoadClient {
  readonly socket: Socket;
  readonly id: string;
  /** SAY frames received (history and live). */
  says: number;
  /** Called with the text of every SAY received. */
  onSay: ((text: string) => void) | undefined;
  /** Frames of any kind received. */
  frames: number;
  /** Called after every frame received (any command). */
  onFrame: (() => void) | undefined;
  /** The reason of the last ERROR frame received (e.g. a refused JOIN), for failure reports. */
  lastError: string | undefined;
  /** Post `text` to the channel. */
  say(text: string): void;
  /** Close the connection. */
  close(): void;
}

/**
 * Connect, JOIN `channel` as `id`, and resolve once the socket is connected; `localAddress` (a
 * 127.0.0.x) spreads many connections over several source addresses (one has ~28 k ephemeral ports).
 */
export function joinClient(port: number, channel: string, id: string, localAddress?: string): Promise<LoadClient> {
  const socket = connect({ port, host: '127.0.0.1', ...(localAddress === undefined ? {} : { localAddress }) });
  return attachClient(socket, channel, id, 'connect');
}

/**
 * Make a load client of a socket being opened (TCP, or TLS: `secureConnect`): JOIN `channel` as
 * `id` once `readyEvent` fires, and resolve then; reject when the socket fails or closes first.
 */
export function attachClient(socket: Socket, channel: string, id: string, readyEvent: 'connect' | 'secureConnect'): Promise<LoadClient> {
  return new Promise((resolve, reject) => {
    socket.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    const client: LoadClient = {
      socket,
      id,
      says: 0,
      onSay: undefined,
      frames: 0,
      onFrame: undefined,
      lastError: undefined,
      say: (text) => void socket.write(encode('SAY', text)),
      close: () => socket.destroy(),
    };
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      let off = 0;
      while (buf.length - off >= 4) {
        const len = buf.readUInt32BE(off);
        if (buf.length - off - 4 < len) break;
        const body = buf.subarray(off + 4, off + 4 + len);
        off += 4 + len;
        client.frames += 1;
        // Mostly SAY matters here: "SAY\0author\0text\0".
        if (body[0] === 0x53 && body[1] === 0x41 && body[2] === 0x59 && body[3] === 0) {
          client.says += 1;
          if (client.onSay) {
            const authorEnd = body.indexOf(0, 4);
            const textEnd = body.indexOf(0, authorEnd + 1);
            client.onSay(body.toString('utf8', authorEnd + 1, textEnd < 0 ? body.length : textEnd));
          }
        } else if (body.subarray(0, 6).toString('latin1') === 'ERROR\0') {
          client.lastError = body.toString('utf8', 6).replaceAll('\0', ' ').trim();
        }
        client.onFrame?.();
      }
      buf = buf.subarray(off);
    });
    socket.once(readyEvent, () => {
      socket.write(encode('JOIN', channel, id));
      resolve(client);
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`connection to port ${socket.remotePort ?? '?'} closed before it was ready (${readyEvent})`)));
  });
}

/** Connect one load client to a target's port and put it in `channel` (ims wire format, or another target's own). */
export type Dial = (port: number, channel: string, id: string) => Promise<LoadClient>;

/** Open `count` clients with at most `parallel` connects in flight (a burst of thousands overflows the backlog). */
export async function joinMany(
  port: number,
  count: number,
  channelOf: (i: number) => string,
  dial: Dial = joinClient,
  parallel = 100,
): Promise<LoadClient[]> {
  const out: LoadClient[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + parallel); j++) batch.push(dial(port, channelOf(j), `bench-${j}`));
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

/** Resolve when `done()` turns true (checked every `everyMs`); reject after `timeoutMs`. */
export function until(done: () => boolean, timeoutMs: number, what: string, everyMs = 2): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    // Polling costs the load generator the same against every target, unlike a hook per chunk.
    const poll = setInterval(() => {
      if (!done()) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve();
    }, everyMs);
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
  });
}
