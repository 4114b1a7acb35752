import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { serverSideDecoder } from '@ims/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wrapSocket } from './tcp-connection.js';
import { fcRuns } from '../test/fc-runs.js';

const numRuns = fcRuns(50);

/** A socket whose write() answers from a script, to drive the drain path at random. */
class ScriptedSocket extends EventEmitter {
  remoteAddress = '127.0.0.1';
  remotePort = 50_000;
  writableLength = 0;
  out: number[] = [];
  writes = 0;
  full = false;
  setNoDelay(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  write(data: Uint8Array): boolean {
    this.writes++;
    for (const b of data) this.out.push(b);
    return !this.full;
  }
  end(): this {
    return this;
  }
  destroy(): this {
    return this;
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

type Op = { kind: 'write'; bytes: number[] } | { kind: 'turn' } | { kind: 'full'; full: boolean } | { kind: 'drain' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }),
  fc.constant<Op>({ kind: 'turn' }),
  fc.record({ kind: fc.constant('full' as const), full: fc.boolean() }),
  fc.constant<Op>({ kind: 'drain' }),
);

describe('TcpConnection write path properties', () => {
  it('delivers every written byte once, in order, with at most one socket.write per turn', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const socket = new ScriptedSocket();
        const conn = wrapSocket(socket as unknown as Socket, { decoder: () => serverSideDecoder(), idleTimeoutMs: 0 });
        const expected: number[] = [];
        let turns = 0;
        for (const o of ops) {
          if (o.kind === 'write') {
            expect(conn.write(Uint8Array.from(o.bytes))).toBe(true);
            expected.push(...o.bytes);
          } else if (o.kind === 'turn') {
            await turn();
            turns++;
          } else if (o.kind === 'full') {
            socket.full = o.full;
          } else {
            socket.emit('drain');
          }
        }
        // Settle: accept everything and let the queue empty.
        socket.full = false;
        socket.emit('drain');
        await turn();
        turns++;
        expect(socket.out).toEqual(expected);
        // Each turn flushes at most once; each drain may flush once more.
        const drains = ops.filter((o) => o.kind === 'drain').length + 1;
        expect(socket.writes).toBeLessThanOrEqual(turns + drains);
      }),
      { numRuns },
    );
  });
});
