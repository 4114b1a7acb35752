import { afterEach, describe, expect, it } from 'vitest';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { testNetwork, type SecureMode } from '@ims/secure';
import { discover, type Discovery } from './discover.js';
import { probeMulticast, udpPort } from './udp-port.js';

// Secure mode on real loopback multicast (docs/protocol.md §3.4): the sealed PDUs of two members,
// and each one's own sealed PDUs coming back through multicast loopback (opened once each, never
// replays), beside a plain peer on the same group.
const v4 = await probeMulticast();
const running: Discovery[] = [];
afterEach(() => {
  for (const d of running.splice(0)) d.close();
});

const appeared = (d: Discovery, id: string) =>
  firstValueFrom(d.events$.pipe(filter((e) => e.kind === 'appeared' && e.peer.id === id), timeout(10_000)));

/** Waits until `done()` (polled every 20 ms); fails after 10 s. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('discover() in secure mode on loopback multicast', () => {
  it('two members see each other; own PDUs are counted own, not replayed; a plain peer on the group sees neither', async (ctx) => {
    if (!v4.ok) ctx.skip(v4.reason);
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const [ma, mb] = testNetwork(2).modes as [SecureMode, SecureMode];
    const start = async (options: Parameters<typeof discover>[1]) => {
      const d = discover(await udpPort({ port }), { intervalMs: 200, ...options });
      running.push(d);
      return d;
    };
    const plain = await start({ peerId: 'plain-peer', nick: 'plain' });
    const a = await start({ secure: ma, nick: 'ann' });
    const seenB = appeared(a, mb.identity.peerId);
    const b = await start({ secure: mb, server: { port: 50_000, channels: ['#secure'] } });
    await seenB;
    await until(() => b.peer(ma.identity.peerId)?.nick === 'ann' && plain.stats().secureIgnored >= 10, 'b to see ann and the plain peer to ignore ten sealed datagrams');
    expect(a.peer(mb.identity.peerId)?.channels).toEqual(['#secure']);
    for (const d of [a, b]) {
      const s = d.stats();
      expect([s.replayed, s.identityMismatch, s.notAdmitted, s.malformed]).toEqual([0, 0, 0, 0]);
      expect(s.own).toBeGreaterThan(0);
      expect(s.unauthenticated).toBeGreaterThan(0); // the plain peer's PDUs
      expect(d.peer('plain-peer')).toBeUndefined();
    }
    expect(plain.snapshot().peers).toEqual([]);
    expect(plain.stats().malformed).toBe(0);
  });
});
