import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Outbox, type OutboxConnection, type OutboxPace } from './outbox.js';

function setup(maxQueued?: number, pace?: OutboxPace) {
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
  const box = new Outbox(conn, (fn) => turns.push(fn), pace, maxQueued);
  const nextTurn = (): void => turns.shift()?.();
  return { box, log, nextTurn, turns, conn };
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

  it('paces frames to the bucket: a burst at once, then one per 1/rate s (virtual time)', () => {
    const scheduler = new VirtualTimeScheduler();
    const { box, log, turns } = setup(undefined, { rate: 10, burst: 3, scheduler });
    const times: number[] = [];
    for (let n = 1; n <= 6; n++) box.send(Uint8Array.of(n));
    // Each turn's flush runs once its frame is written; token waits advance the clock.
    for (let guard = 0; guard < 100 && (turns.length > 0 || scheduler.actions.length > 0); guard++) {
      const turn = turns.shift();
      if (turn === undefined) scheduler.flush();
      else {
        times.push(scheduler.now());
        turn();
      }
    }
    expect(log).toEqual(['write:1', 'write:2', 'write:3', 'write:4', 'write:5', 'write:6']);
    expect(times).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it('drops its queue and its wait for a token when the connection closed under it', () => {
    const scheduler = new VirtualTimeScheduler();
    const { box, log, turns, conn } = setup(undefined, { rate: 1, burst: 1, scheduler });
    box.send(Uint8Array.of(1));
    box.send(Uint8Array.of(2));
    turns.shift()?.();
    expect(scheduler.actions).toHaveLength(1);
    conn.isClosing = true;
    box.close('redial');
    expect(box.length).toBe(0);
    scheduler.flush();
    expect(log).toEqual(['write:1', 'close:redial']);
  });
});
