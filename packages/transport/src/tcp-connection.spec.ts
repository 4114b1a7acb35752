import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { type ClientCommand, encodeFrame, serverSideDecoder } from '@ims/codec';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CloseInfo, ConnectionSink } from './connection.js';
import { normalizeAddress, wrapSocket } from './tcp-connection.js';

/** Just enough of net.Socket to observe what the connection writes. */
class FakeSocket extends EventEmitter {
  remoteAddress = '10.0.0.9';
  remotePort = 50_001;
  writableLength = 0;
  writes: Uint8Array[] = [];
  ended = false;
  destroyed = false;
  accept = true;
  setNoDelay(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  write(data: Uint8Array): boolean {
    this.writes.push(Uint8Array.from(data));
    return this.accept;
  }
  end(): this {
    this.ended = true;
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    queueMicrotask(() => this.emit('close', false));
    return this;
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A sink that records frames (command names, or the error code) and the close. */
function recorder(): ConnectionSink<ClientCommand> & { got: string[]; info: CloseInfo | undefined } {
  const rec = {
    got: [] as string[],
    info: undefined as CloseInfo | undefined,
    frame: (d: Parameters<ConnectionSink<ClientCommand>['frame']>[0]) => rec.got.push(d.ok ? d.value.cmd : d.error.code),
    closed: (info: CloseInfo) => {
      rec.info = info;
    },
  };
  return rec;
}

function setup(opts: { maxSendQueueBytes?: number; idleTimeoutMs?: number } = {}) {
  const socket = new FakeSocket();
  const conn = wrapSocket<ClientCommand>(socket as unknown as Socket, { decoder: () => serverSideDecoder(), idleTimeoutMs: 0, ...opts });
  return { socket, conn };
}

describe('TcpConnection writes', () => {
  it('batches every write of one turn into a single socket.write', async () => {
    const { socket, conn } = setup();
    const frames = [1, 2, 3].map((i) => encodeFrame({ cmd: 'SAY', authorId: 'a', text: `m${i}` }));
    for (const f of frames) conn.write(f);
    expect(socket.writes).toHaveLength(0);
    await turn();
    expect(socket.writes).toHaveLength(1);
    expect(Buffer.from(socket.writes[0] as Uint8Array)).toEqual(Buffer.concat(frames));
  });

  it('sends each turn on its own: a turn of several writes concatenated, a turn of one as is, whatever came before', async () => {
    const { socket, conn } = setup();
    const turns = [[1, 2], [3], [4, 5, 6], [7], [8, 9]].map((t) => t.map((i) => Uint8Array.of(i, i)));
    for (const t of turns) {
      for (const bytes of t) conn.write(bytes);
      expect(conn.queuedBytes).toBe(2 * t.length);
      await turn();
    }
    expect(socket.writes.map((w) => [...w])).toEqual(turns.map((t) => t.flatMap((b) => [...b])));
    // A lone write goes to the socket as the very bytes written (no copy).
    const lone = Uint8Array.of(42);
    const seen: Uint8Array[] = [];
    socket.write = (data: Uint8Array) => (seen.push(data), true);
    conn.write(lone);
    await turn();
    expect(seen[0]).toBe(lone);
  });

  it('waits for drain when socket.write says the buffer is full', async () => {
    const { socket, conn } = setup();
    socket.accept = false;
    conn.write(Uint8Array.of(1));
    await turn();
    conn.write(Uint8Array.of(2));
    conn.write(Uint8Array.of(3));
    await turn();
    expect(socket.writes).toHaveLength(1);
    socket.accept = true;
    socket.emit('drain');
    expect(socket.writes.map((w) => [...w])).toEqual([[1], [2, 3]]);
  });

  it('drops the peer as a slow reader when queued plus buffered bytes pass the bound', async () => {
    const { socket, conn } = setup({ maxSendQueueBytes: 10 });
    const rec = recorder();
    conn.attach(rec);
    // The socket still holds 8 bytes after our flush (the peer does not read): they count.
    expect(conn.write(new Uint8Array(8))).toBe(true);
    socket.writableLength = 8;
    await turn();
    expect(socket.writes).toHaveLength(1);
    expect(conn.write(new Uint8Array(2))).toBe(true);
    expect(conn.write(new Uint8Array(1))).toBe(false);
    expect(socket.destroyed).toBe(true);
    await turn();
    expect(rec.info).toMatchObject({ code: 'SLOW_READER' });
  });

  it('close flushes what is queued, then ends; writes after close are refused', async () => {
    const { socket, conn } = setup();
    conn.write(Uint8Array.of(7));
    conn.close('bye');
    expect(conn.write(Uint8Array.of(8))).toBe(false);
    expect(socket.ended).toBe(false);
    await turn();
    expect(socket.writes.map((w) => [...w])).toEqual([[7]]);
    expect(socket.ended).toBe(true);
  });

  it('decodes data events into frames for the sink, whole frames across chunks', () => {
    const { socket, conn } = setup();
    const rec = recorder();
    conn.attach(rec);
    const bytes = Buffer.concat([encodeFrame({ cmd: 'JOIN', channel: '#x' }), encodeFrame({ cmd: 'EXIT' })]);
    socket.emit('data', bytes.subarray(0, 5));
    expect(rec.got).toEqual([]);
    socket.emit('data', bytes.subarray(5));
    expect(rec.got).toEqual(['JOIN', 'EXIT']);
  });

  it('stops delivering a batch once the sink closes the connection mid-batch', () => {
    const { socket, conn } = setup();
    const got: string[] = [];
    conn.attach({ frame: (d) => (got.push(d.ok ? d.value.cmd : 'bad'), conn.close('enough')), closed: () => undefined });
    socket.emit('data', Buffer.concat([encodeFrame({ cmd: 'EXIT' }), encodeFrame({ cmd: 'EXIT' })]));
    expect(got).toEqual(['EXIT']);
  });

  it('calls onClosed once, before the sink, and a late attach gets the close at once', async () => {
    const order: string[] = [];
    const socket = new FakeSocket();
    const conn = wrapSocket<ClientCommand>(socket as unknown as Socket, {
      decoder: () => serverSideDecoder(),
      idleTimeoutMs: 0,
      onClosed: (c) => order.push(`onClosed ${c.id === conn.id}`),
    });
    conn.attach({ frame: () => undefined, closed: (info) => order.push(`sink ${info.reason}`) });
    expect(() => conn.attach(recorder())).toThrow(/already has a sink/);
    conn.destroy('done');
    await turn();
    expect(order).toEqual(['onClosed true', 'sink done']);
    const other = setup();
    other.conn.destroy('early');
    await turn();
    const late = recorder();
    other.conn.attach(late);
    expect(late.info).toMatchObject({ reason: 'early', byPeer: false });
  });
});

describe('TcpConnection idle timeout (slowloris)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const frame = encodeFrame({ cmd: 'JOIN', channel: '#a' });

  it('closes a connection that sends no complete first frame in time', () => {
    vi.useFakeTimers();
    const { socket, conn } = setup({ idleTimeoutMs: 100 });
    conn.attach(recorder());
    vi.advanceTimersByTime(99);
    expect(socket.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(socket.destroyed).toBe(true);
  });

  it('never times out a member that completed its frames and stays quiet', () => {
    vi.useFakeTimers();
    const { socket, conn } = setup({ idleTimeoutMs: 100 });
    conn.attach(recorder());
    socket.emit('data', frame);
    vi.advanceTimersByTime(60_000);
    expect(socket.destroyed).toBe(false);
  });

  it('does not let dripping bytes restart the clock; a completed frame does', () => {
    vi.useFakeTimers();
    const { socket, conn } = setup({ idleTimeoutMs: 100 });
    conn.attach(recorder());
    socket.emit('data', frame);
    socket.emit('data', frame.subarray(0, 3));
    vi.advanceTimersByTime(60);
    socket.emit('data', frame.subarray(3, 6));
    vi.advanceTimersByTime(39);
    expect(socket.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(socket.destroyed).toBe(true);
  });

  it('restarts the clock when a started frame completes', () => {
    vi.useFakeTimers();
    const { socket, conn } = setup({ idleTimeoutMs: 100 });
    conn.attach(recorder());
    socket.emit('data', frame.subarray(0, 3));
    vi.advanceTimersByTime(90);
    socket.emit('data', Buffer.concat([frame.subarray(3), frame.subarray(0, 2)]));
    vi.advanceTimersByTime(90);
    expect(socket.destroyed).toBe(false);
    vi.advanceTimersByTime(10);
    expect(socket.destroyed).toBe(true);
  });
});

describe('normalizeAddress', () => {
  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['::ffff:abcd', '::ffff:abcd'],
  ])('%s → %s', (input, out) => expect(normalizeAddress(input)).toBe(out));
});
