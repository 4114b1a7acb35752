/**
 * The one seam between discovery and the network (CONTRIBUTING.md §1): a multicast group seen as a stream
 * of datagrams plus a send function. `udpPort()` implements it over node:dgram, `memoryNetwork()`
 * in memory for tests.
 */
import type { Observable } from 'rxjs';

/** Where a datagram came from: the sender's source address and port. */
export interface Address {
  readonly address: string;
  readonly port: number;
}

/** One received datagram. */
export interface Datagram {
  readonly data: Uint8Array;
  readonly from: Address;
}

/** A joined multicast group: what arrives on it, and a way to send to it. */
export interface DatagramPort {
  /** Every datagram received on the group, own ones included (multicast loopback). Completes on `close()`. */
  readonly messages$: Observable<Datagram>;
  /** Send one datagram to the group. Never throws for network trouble; a no-op after `close()`. */
  send(bytes: Uint8Array): void;
  /** Leave the group and release the socket; idempotent. */
  close(): void;
}
