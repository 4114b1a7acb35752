/**
 * Baseline for the server benchmark: the smallest fan-out relay one would write by hand on
 * node:net. It speaks just enough of the wire format (docs/protocol.md §2: JOIN, SAY, EXIT) and batches
 * writes per socket once per event-loop turn. No limits, no history, no discovery: an upper bound.
 *
 * Run as a child process: `node --import tsx relay.ts [port]`; prints the same `listening` JSON line
 * on stderr as the channel server.
 */
import { createServer, type Socket } from 'node:net';

interface Member {
  readonly socket: Socket;
  readonly id: string;
  channel: string | undefined;
  buf: Buffer;
  out: Buffer[];
}

const channels = new Map<string, Set<Member>>();
const dirty = new Set<Member>();
let flushScheduled = false;

function field(s: string): Buffer {
  return Buffer.from(s + '\0', 'utf8');
}

function frame(...fields: string[]): Buffer {
  const body = Buffer.concat(fields.map(field));
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

function flush(): void {
  flushScheduled = false;
  for (const m of dirty) {
    m.socket.write(m.out.length === 1 ? (m.out[0] as Buffer) : Buffer.concat(m.out));
    m.out = [];
  }
  dirty.clear();
}

function queue(m: Member, bytes: Buffer): void {
  m.out.push(bytes);
  dirty.add(m);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

function leave(m: Member): void {
  if (m.channel === undefined) return;
  const set = channels.get(m.channel);
  set?.delete(m);
  if (set?.size === 0) channels.delete(m.channel);
  m.channel = undefined;
}

function onFrame(m: Member, body: Buffer): void {
  const fields = body.toString('utf8').split('\0');
  const cmd = fields[0];
  if (cmd === 'JOIN' && m.channel === undefined && fields[1]) {
    m.channel = fields[1];
    let set = channels.get(m.channel);
    if (!set) channels.set(m.channel, (set = new Set()));
    set.add(m);
    if (fields[2]) (m as { id: string }).id = fields[2];
  } else if (cmd === 'SAY' && m.channel !== undefined) {
    const out = frame('SAY', m.id, fields[1] ?? '');
    for (const other of channels.get(m.channel) ?? []) queue(other, out);
  } else if (cmd === 'EXIT') {
    leave(m);
    m.socket.end();
  }
}

function onData(m: Member, chunk: Buffer): void {
  m.buf = m.buf.length === 0 ? chunk : Buffer.concat([m.buf, chunk]);
  let off = 0;
  while (m.buf.length - off >= 4) {
    const len = m.buf.readUInt32BE(off);
    if (m.buf.length - off - 4 < len) break;
    onFrame(m, m.buf.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  m.buf = m.buf.subarray(off);
}

const server = createServer((socket) => {
  socket.setNoDelay(true);
  const m: Member = { socket, id: `${socket.remoteAddress}:${socket.remotePort}`, channel: undefined, buf: Buffer.alloc(0), out: [] };
  socket.on('data', (c: Buffer) => onData(m, c));
  socket.on('error', () => leave(m));
  socket.on('close', () => leave(m));
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  process.stderr.write(JSON.stringify({ event: 'listening', id: 'relay', address: '127.0.0.1', port }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
