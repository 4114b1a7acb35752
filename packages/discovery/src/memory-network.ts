/**
 * An in-memory multicast group for tests: every port on one network receives every datagram sent by
 * any port on it, its own included (like multicast loopback), delivered later on the scheduler
 * (like a real socket, never re-entrantly inside `send`).
 */
import { Subject, asyncScheduler, type SchedulerLike } from 'rxjs';
import type { Datagram, DatagramPort } from './datagram-port.js';

/** Options of `memoryNetwork()`. */
export interface MemoryNetworkOptions {
  /** Scheduler that delivers datagrams; a `TestScheduler` makes delivery virtual. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** Delivery delay of every datagram, in ms. @default 0 */
  readonly latencyMs?: number;
}

/** Options of one in-memory port. */
export interface MemoryPortOptions {
  /** Source address receivers see for this port's datagrams. @default '127.0.0.1' */
  readonly address?: string;
  /** Source port receivers see. @default 55555 */
  readonly port?: number;
}

/** A shared in-memory group: make ports on it. */
export interface MemoryNetwork {
  /** A new port joined to this network. */
  port(options?: MemoryPortOptions): DatagramPort;
  /** Number of ports currently open. */
  readonly openPorts: number;
}

interface MemberPort {
  readonly inbox: Subject<Datagram>;
  open: boolean;
}

/** Create an in-memory multicast group. */
export function memoryNetwork(options: MemoryNetworkOptions = {}): MemoryNetwork {
  const scheduler = options.scheduler ?? asyncScheduler;
  const latencyMs = options.latencyMs ?? 0;
  const members = new Set<MemberPort>();

  const makePort = (portOptions: MemoryPortOptions = {}): DatagramPort => {
    const from = { address: portOptions.address ?? '127.0.0.1', port: portOptions.port ?? 55_555 };
    const self: MemberPort = { inbox: new Subject<Datagram>(), open: true };
    members.add(self);
    return {
      messages$: self.inbox.asObservable(),
      send(bytes: Uint8Array): void {
        if (!self.open) return;
        // Copy now: the sender may reuse its buffer before delivery, as with a real socket.
        const data = bytes.slice();
        const receivers = [...members];
        scheduler.schedule(() => {
          for (const receiver of receivers) {
            if (receiver.open) receiver.inbox.next({ data: data.slice(), from });
          }
        }, latencyMs);
      },
      close(): void {
        if (!self.open) return;
        self.open = false;
        members.delete(self);
        self.inbox.complete();
      },
    };
  };

  return {
    port: makePort,
    get openPorts() {
      return members.size;
    },
  };
}
