import type { Decoded } from '@ims/codec';
import { describe, expect, it } from 'vitest';
import type { ConnectionSink } from './connection.js';
import { FrameGate } from './frame-gate.js';

const f = (n: number): Decoded<number> => ({ ok: true, value: n }) as Decoded<number>;
const open = { isClosing: false };

/** A sink that records frame values and can pause the gate at a given frame. */
function sink(gate: FrameGate<number>, pauseAt?: number): ConnectionSink<number> & { got: number[] } {
  const got: number[] = [];
  return {
    got,
    frame: (d) => {
      const v = (d as { value: number }).value;
      got.push(v);
      if (v === pauseAt) gate.pause();
    },
    closed: () => undefined,
  };
}

describe('FrameGate', () => {
  it('delivers in order; a pause inside a frame holds that frame and the rest, and resume delivers them once, in order', () => {
    const gate = new FrameGate<number>();
    const s = sink(gate, 2);
    gate.deliver([f(1), f(2), f(3)], s, open);
    expect(s.got).toEqual([1, 2]);
    gate.deliver([f(4)], s, open);
    expect(s.got).toEqual([1, 2]);
    const s2 = sink(gate);
    expect(gate.resume(s2, open)).toBe(true);
    expect(s2.got).toEqual([2, 3, 4]);
    gate.deliver([f(5)], s2, open);
    expect(s2.got).toEqual([2, 3, 4, 5]);
  });

  it('an empty batch while paused holds nothing: unpaused (as the memory connection does before its drain), the next frames go straight through', () => {
    const gate = new FrameGate<number>();
    const s = sink(gate);
    gate.pause();
    gate.deliver([], s, open);
    gate.paused = false;
    gate.deliver([f(1)], s, open);
    expect(s.got).toEqual([1]);
  });

  it('clear() forgets what was held', () => {
    const gate = new FrameGate<number>();
    const s = sink(gate);
    gate.pause();
    gate.deliver([f(1), f(2)], s, open);
    gate.clear();
    expect(gate.release(s, open)).toBe(true);
    expect(s.got).toEqual([]);
  });
});
