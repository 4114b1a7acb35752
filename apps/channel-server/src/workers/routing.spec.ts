import { describe, expect, it } from 'vitest';
import { encodeFrame, serverSideDecoder, type ClientCommand, type Decoded } from '@ims/codec';
import { FALLBACK_WORKER, channelHash, homeWorker, routeConnection } from './routing.js';

const first = (cmd: ClientCommand): Decoded<ClientCommand> => {
  const d = serverSideDecoder().push(encodeFrame(cmd))[0];
  if (d === undefined) throw new Error('no frame');
  return d;
};

describe('routing', () => {
  it('hashes a name the same way every time (FNV-1a 32: the known value of "a")', () => {
    expect(channelHash('a')).toBe(0xe40c292c);
    expect(channelHash('#lobby')).toBe(channelHash('#lobby'));
    expect(channelHash('#lobby')).not.toBe(channelHash('#Lobby'));
  });

  it('spreads channels over every worker, each to one', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4_000; i++) {
      const w = homeWorker(`#c${i}`, 4);
      expect(w).toBeGreaterThanOrEqual(0);
      expect(w).toBeLessThan(4);
      counts[w] = (counts[w] ?? 0) + 1;
    }
    for (const n of counts) expect(n).toBeGreaterThan(800);
    expect(homeWorker('#anything', 1)).toBe(0);
  });

  it('routes a JOIN to its channel home, or to the worker that reported hosting it', () => {
    const join = first({ cmd: 'JOIN', channel: '#x', clientId: 'a' });
    const home = homeWorker('#x', 3);
    expect(routeConnection(join, 3, new Map())).toBe(home);
    const other = (home + 1) % 3;
    expect(routeConnection(join, 3, new Map([['#x', other]]))).toBe(other);
    // A report from a worker index the box no longer has is ignored.
    expect(routeConnection(join, 3, new Map([['#x', 7]]))).toBe(home);
  });

  it('sends anything but a decoded JOIN to the fallback worker', () => {
    expect(routeConnection(undefined, 4, new Map())).toBe(FALLBACK_WORKER);
    expect(routeConnection(first({ cmd: 'SAY', text: 'hi' }), 4, new Map())).toBe(FALLBACK_WORKER);
    const bad = serverSideDecoder().push(new Uint8Array([0, 0, 0, 3, 0x58, 0x59, 0]))[0];
    expect(bad?.ok).toBe(false);
    expect(routeConnection(bad, 4, new Map())).toBe(FALLBACK_WORKER);
  });
});
