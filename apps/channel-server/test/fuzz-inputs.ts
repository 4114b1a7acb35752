/**
 * What the fuzz tests need besides codec's seeded generators (`mutatedFrame`, `mutatedPdu`,
 * `prng`): the run's seed, byte joining, and a UDP sender on the loopback multicast group.
 */
import { createSocket } from 'node:dgram';
import { MULTICAST_GROUP_V4 } from '@ims/codec';

/** The seed of this run: `FUZZ_SEED` if set (to replay a failure), else a fresh one. */
export function fuzzSeed(): number {
  const env = process.env['FUZZ_SEED'];
  if (env !== undefined && env !== '') return Number(env) >>> 0;
  return Math.floor(Math.random() * 0x1_0000_0000) >>> 0;
}

/** Joins byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A UDP sender to the loopback multicast group from `address` (TTL 1, loopback interface: nothing leaves the host). */
export async function loopbackSender(address: string): Promise<{ send(bytes: Uint8Array, port: number): Promise<void>; close(): void }> {
  const s = createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((resolve) => s.bind({ address, port: 0 }, resolve));
  s.setMulticastInterface('127.0.0.1');
  s.setMulticastTTL(1);
  s.setMulticastLoopback(true);
  return {
    send: (bytes, port) => new Promise<void>((resolve, reject) => s.send(bytes, port, MULTICAST_GROUP_V4, (err) => (err ? reject(err) : resolve()))),
    close: () => s.close(),
  };
}
