/** Test helper: `net` as a peer that proves `peerId` on every connection (secure mode's TLS, in memory). */
import type { MemoryTransport } from '@ims/transport';

/** The same network from the same address, proving `peerId` (memory-transport's `at(address, { peerId })`). */
export const provenView = (net: MemoryTransport, peerId: string): MemoryTransport => net.at(net.address, { peerId });
