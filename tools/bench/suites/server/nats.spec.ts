import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { joinNatsClient, subjectOf } from './nats.js';
import type { LoadClient } from './load-client.js';

/** A scripted stand-in for nats-server on loopback: records what the client sends. */
function fakeServer(): Promise<{ server: Server; port: number; conn: Promise<Socket>; received: () => string }> {
  let text = '';
  let onConn: (s: Socket) => void = () => undefined;
  const conn = new Promise<Socket>((resolve) => (onConn = resolve));
  const server = createServer((s) => {
    s.write('INFO {"server_id":"fake","max_payload":1048576}\r\n');
    s.on('data', (c: Buffer) => {
      text += c.toString('utf8');
      if (text.endsWith('PING\r\n') && !text.includes('PONG')) s.write('PONG\r\n');
    });
    onConn(s);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : 0, conn, received: () => text });
    });
  });
}

/** Resolve once `check()` holds; reject after `ms`. */
async function eventually(check: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

describe('subjectOf', () => {
  it('maps a channel name to one subject-safe token under ims.', () => {
    expect(subjectOf('#fan-50.x y*>')).toBe('ims._fan-50_x_y__');
  });
});

describe('joinNatsClient', () => {
  let server: Server | undefined;
  let client: LoadClient | undefined;
  const sockets = new Set<Socket>();
  afterEach(async () => {
    client?.close();
    client = undefined;
    for (const s of sockets) s.destroy();
    sockets.clear();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = undefined;
  });
  const track = (srv: Server): Server => srv.on('connection', (s: Socket) => void sockets.add(s));

  it('subscribes before resolving, parses split MSG frames, answers PING and publishes by byte length', async () => {
    const fake = await fakeServer();
    server = track(fake.server);
    client = await joinNatsClient(fake.port, '#room', 'bench-0');
    expect(fake.received()).toMatch(/^CONNECT \{"verbose":false,"pedantic":false,[^\r]*\}\r\nSUB ims\._room 1\r\nPING\r\n$/);

    const got: string[] = [];
    client.onSay = (t) => got.push(t);
    const s = await fake.conn;
    // A payload holding CRLF and a multi-byte character, cut mid-payload and mid-line.
    const payload = Buffer.from('a\r\nbé', 'utf8');
    const wire = Buffer.concat([
      Buffer.from(`MSG ims._room 1 ${payload.length}\r\n`),
      payload,
      Buffer.from('\r\nPING\r\nMSG ims._room 1 reply.to 2\r\nok\r\n'),
    ]);
    s.write(wire.subarray(0, 20));
    await new Promise((r) => setTimeout(r, 20)); // lets the first piece arrive alone, not for sync
    s.write(wire.subarray(20, 31));
    s.write(wire.subarray(31));
    await eventually(() => got.length === 2);
    expect(got).toEqual(['a\r\nbé', 'ok']);
    expect(client.says).toBe(2);
    await eventually(() => fake.received().endsWith('PONG\r\n'));

    client.say('héllo');
    await eventually(() => fake.received().endsWith('PUB ims._room 6\r\nhéllo\r\n'));
  });

  it('rejects when the server refuses the connection with -ERR', async () => {
    server = track(createServer((s) => s.write("INFO {}\r\n-ERR 'Authorization Violation'\r\n")));
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const a = server.address();
    await expect(joinNatsClient(typeof a === 'object' && a ? a.port : 0, '#room', 'x')).rejects.toThrow(/Authorization Violation/);
  });
});
