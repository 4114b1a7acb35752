/** A transport whose dials leave from one source address (`--interface`, docs/protocol.md §3.1). */
import type { Transport } from './transport.js';

/**
 * `transport`, but every dial that names no `localAddress` of its own dials from `localAddress`:
 * the address a server sees is then the one our PeerPDUs come from (a server that tells clients
 * apart by TCP source address, as the draft authors' Java server does, finds us by it).
 */
export function dialingFrom(transport: Transport, localAddress: string): Transport {
  return {
    listen: (options) => transport.listen(options),
    dial: (options) => transport.dial({ ...options, localAddress: options.localAddress ?? localAddress }),
    beforeFlush: (cb) => transport.beforeFlush(cb),
    afterFlush: (cb) => transport.afterFlush(cb),
  };
}
