import { describe, expect, it } from 'vitest';
import { Outbox, type OutboxConnection } from './outbox.js';

function setup(maxQueued?: number) {
  const log: string[] = [];
  const turns: (() => void)[] = [];
  const conn: OutboxConnection & { isClosing: boolean } = {
    isClosing: false,
    write: (b) => {
      log.push(`write:${b[0]}`);
      return true;
    },
    close: (r) => {
      log.push(`close:${r}`);
      conn.isClosing = true;
    },
  };
  const box = new Outbox(conn, (fn) => turns.push(fn), maxQueued);
  const nextTurn = (): void => turns.shift()?.();
  return { box, log, nextTurn, turns };
}

describe('Outbox', () => {
  it('writes one frame per turn, in order', () => {
    const { box, log, nextTurn } = setup();
    box.send(Uint8Array.of(1));
    box.send(Uint8Array.of(2));
    box.send(Uint8Array.of(3));
    expect(log).toEqual(['write:1']);
    nextTurn();
    expect(log).toEqual(['write:1', 'write:2']);
    nextTurn();
    nextTurn();
    expect(log).toEqual(['write:1', 'write:2', 'write:3']);
    expect(box.length).toBe(0);
  });

  it('closes only after the queued frames (EXIT before close) and refuses later sends', () => {
    const { box, log, nextTurn } = setup();
    box.send(Uint8Array.of(1));
    box.send(Uint8Array.of(9));
    box.close('exit');
    expect(box.send(Uint8Array.of(5))).toBe(false);
    expect(log).toEqual(['write:1']);
    nextTurn();
    nextTurn();
    expect(log).toEqual(['write:1', 'write:9', 'close:exit']);
  });

  it('closes at once when idle, and bounds the queue', () => {
    const idle = setup();
    idle.box.close('bye');
    expect(idle.log).toEqual(['close:bye']);
    const full = setup(2);
    expect([1, 2, 3, 4].map((n) => full.box.send(Uint8Array.of(n)))).toEqual([true, true, true, false]);
  });
});
