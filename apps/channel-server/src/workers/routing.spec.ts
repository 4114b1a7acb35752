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

  it('routes a JOIN to its channel home', () => {
    expect(routeConnection(first({ cmd: 'JOIN', channel: '#x', clientId: 'a' }), 3)).toBe(homeWorker('#x', 3));
    expect(routeConnection(first({ cmd: 'JOIN', channel: '#x' }), 1)).toBe(0);
  });

  it('sends anything but a decoded JOIN to the fallback worker', () => {
    expect(routeConnection(undefined, 4)).toBe(FALLBACK_WORKER);
    expect(routeConnection(first({ cmd: 'SAY', text: 'hi' }), 4)).toBe(FALLBACK_WORKER);
    const bad = serverSideDecoder().push(new Uint8Array([0, 0, 0, 3, 0x58, 0x59, 0]))[0];
    expect(bad?.ok).toBe(false);
    expect(routeConnection(bad, 4)).toBe(FALLBACK_WORKER);
  });
});
