/**
 * Test helper: a host service on an in-memory network in virtual time, and clients to drive it.
 * Everything started is stopped after the test (register `afterEach(stopAll)`).
 */
import { memoryTransport, virtualTime, type MemoryTransport, type VirtualTime } from '@ims/transport';
import type { HostLimits } from '../src/host-limits.js';
import type { HostService, HostServiceOptions } from '../src/host-service-types.js';
import { startHostService } from '../src/host-service.js';
import { MemoryClient, type MemoryClientOptions, isStandby } from './memory-client.js';
import { provenView } from './proven-view.js';

const running: (() => Promise<unknown>)[] = [];

/** Stops every service started by a world, newest first. */
export async function stopAll(): Promise<void> {
  for (const stop of running.splice(0).reverse()) await stop();
}

/** One virtual clock, one in-memory network, and helpers bound to them. */
export interface HostWorld {
  readonly vt: VirtualTime;
  readonly net: MemoryTransport;
  /** Starts a host service `host-1` on the network (same clock for the reducer and the transport). */
  start(limits?: HostLimits, extra?: Partial<HostServiceOptions>): Promise<HostService>;
  /** A client connected to `svc`. */
  client(svc: HostService, options?: MemoryClientOptions): Promise<MemoryClient>;
  /** The network seen from `address` by a peer that proves `peerId` (secure mode's TLS, in memory). */
  proven(peerId: string, address: string): MemoryTransport;
  /** A client that JOINed `channel` as `id` and got its STANDBY. */
  joined(svc: HostService, channel: string, id: string, options?: MemoryClientOptions): Promise<MemoryClient>;
}

/** A fresh world. */
export function hostWorld(): HostWorld {
  const vt = virtualTime();
  const net = memoryTransport({ scheduler: vt.scheduler });
  const client = (svc: HostService, options?: MemoryClientOptions) => MemoryClient.connect(net, vt, svc.endpoint, options);
  return {
    vt,
    net,
    async start(limits = {}, extra = {}) {
      const svc = await startHostService({ peerId: 'host-1', transport: net, scheduler: vt.scheduler, limits, ...extra });
      running.push(() => vt.until(svc.stop()));
      return svc;
    },
    client,
    proven: (peerId, address) => provenView(net.at(address), peerId),
    async joined(svc, channel, id, options) {
      const c = await client(svc, options);
      c.send({ cmd: 'JOIN', channel, clientId: id });
      await c.next(isStandby);
      return c;
    },
  };
}
