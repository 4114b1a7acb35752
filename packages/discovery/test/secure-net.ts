/**
 * Fixtures of the secure-mode specs: a memory network in virtual time, secure (or plain) peers on
 * it whose sealers read the same virtual clock, and a passive port capturing every datagram.
 */
import { TestScheduler } from 'rxjs/testing';
import type { SchedulerLike } from 'rxjs';
import { expect } from 'vitest';
import { generateIdentity, secureMode, type NetworkKey, type PeerPolicy, type SecureMode } from '@ims/secure';
import type { DatagramPort } from '../src/datagram-port.js';
import { discover, type DiscoverOptions, type Discovery } from '../src/discover.js';
import { memoryNetwork, type MemoryNetwork } from '../src/memory-network.js';
import type { DiscoveryLogEntry } from '../src/stats.js';

/** The announce interval of the specs, in ms. */
export const I = 1_000;

let current: SchedulerLike | undefined;

/** Virtual now of the running spec (0 outside one): the clock of every sealer made by {@link mode}. */
export const virtualNow = (): number => current?.now() ?? 0;

/** Runs `body` in virtual time; `at(ms, fn)` schedules an action. Everything must be closed by the end. */
export function virtual(body: (at: (ms: number, fn: () => void) => void, net: MemoryNetwork, scheduler: SchedulerLike) => void): void {
  const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
  current = ts;
  try {
    ts.run(() => body((ms, fn) => ts.schedule(fn, ms), memoryNetwork({ scheduler: ts }), ts));
  } finally {
    current = undefined;
  }
}

/** A secure mode of a fresh identity under `keys`, on the virtual clock (or `now`). */
export function mode(keys: readonly NetworkKey[], extra: { readonly policy?: PeerPolicy; readonly now?: () => number } = {}): SecureMode {
  return secureMode({ identity: generateIdentity(), keys, now: extra.now ?? virtualNow, ...(extra.policy !== undefined ? { policy: extra.policy } : {}) });
}

/** A discovery peer and what it logged. */
export interface TestPeer {
  readonly d: Discovery;
  readonly logs: DiscoveryLogEntry[];
}

/** A peer at `address`: secure when `options.secure` is given. */
export function peer(net: MemoryNetwork, address: string, options: DiscoverOptions): TestPeer {
  const logs: DiscoveryLogEntry[] = [];
  const d = discover(net.port({ address }), { intervalMs: I, scheduler: current, log: (e) => logs.push(e), ...options });
  return { d, logs };
}

/** A passive port that records every datagram on the network. */
export function capture(net: MemoryNetwork, address = '10.9.9.9'): { readonly port: DatagramPort; readonly seen: Uint8Array[] } {
  const port = net.port({ address });
  const seen: Uint8Array[] = [];
  port.messages$.subscribe((d) => seen.push(d.data));
  return { port, seen };
}

/** True when `needle` (as ASCII) occurs anywhere in `bytes`. */
export function contains(bytes: Uint8Array, needle: string): boolean {
  return Buffer.from(bytes).includes(Buffer.from(needle, 'latin1'));
}
