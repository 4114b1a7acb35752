/**
 * A listener's connection caps (total and per source IP), decided at accept before anything is
 * read, and the throttled refusal log. Shared by the TCP and in-memory listeners.
 */
import type { Logger } from '@ims/app-kit';
import { AcceptRate } from './accept-rate.js';
import { TRANSPORT_DEFAULTS } from './limits.js';
import type { ListenOptions, Refusal } from './transport.js';

/**
 * The text a refused peer reads in the refusal frame: `CODE: message` like every ims ERROR
 * (docs/protocol.md §6.2), so a client can tell "full or stopping, try later" from other errors.
 */
export const REFUSAL_TEXT: Readonly<Record<Refusal['reason'], string>> = {
  'max-connections': 'MAX_CONNECTIONS: max connections reached, try later',
  'max-connections-per-ip': 'MAX_CONNECTIONS_PER_IP: max connections per ip reached, try later',
  'connection-rate-per-ip': 'CONNECTION_RATE_PER_IP: too many new connections from this ip, try later',
  unobserved: 'NOT_ACCEPTING: not accepting connections, try later',
  // Never sent (the peer is not of our network, or not TLS); it names the refusal's code.
  'handshake-failed': 'SECURE_HANDSHAKE: secure handshake failed',
};

/** The refusal an owner reports: the cap, and the code its ERROR carries. */
export function refusalOf(address: string, reason: Refusal['reason']): Refusal {
  return { address, reason, code: REFUSAL_TEXT[reason].slice(0, REFUSAL_TEXT[reason].indexOf(':')) };
}

/** What the caps count: an open connection, or (secure mode) a handshake in flight, which holds its slot. */
export interface CapsEntry {
  /** The normalised source IP. */
  readonly remoteAddress: string;
}

/** Open connections of one listener, counted in total and per IP. */
export class ListenerCaps<E extends CapsEntry> {
  /** Open connections (and handshakes in flight). */
  readonly open = new Set<E>();
  private readonly perIp = new Map<string, number>();
  private readonly max: number;
  private readonly maxPerIp: number;
  private readonly rate: AcceptRate;
  /** Refusal log throttle: an attacker opening thousands of connections must not flood the log too. */
  private lastRefusalLog = Number.NEGATIVE_INFINITY;
  private suppressedRefusals = 0;

  constructor(
    options: Pick<ListenOptions<unknown>, 'maxConnections' | 'maxConnectionsPerIp' | 'connectionRatePerIp' | 'connectionBurstPerIp'>,
    private readonly logger: Logger | undefined,
    private readonly now: () => number,
  ) {
    this.max = options.maxConnections ?? TRANSPORT_DEFAULTS.maxConnections;
    this.maxPerIp = options.maxConnectionsPerIp ?? TRANSPORT_DEFAULTS.maxConnectionsPerIp;
    this.rate = new AcceptRate(
      options.connectionRatePerIp ?? TRANSPORT_DEFAULTS.connectionRatePerIp,
      options.connectionBurstPerIp ?? TRANSPORT_DEFAULTS.connectionBurstPerIp,
    );
  }

  /** Why a connection from `ip` must be refused now, if it must; an accepted one is charged to its address's rate. */
  refusal(ip: string, accepting: boolean): Refusal['reason'] | undefined {
    if (!accepting) return 'unobserved';
    if (this.open.size >= this.max) return 'max-connections';
    if ((this.perIp.get(ip) ?? 0) >= this.maxPerIp) return 'max-connections-per-ip';
    // Checked last, so connections refused for another cap do not spend the address's budget.
    if (!this.rate.take(ip, this.now())) return 'connection-rate-per-ip';
    return undefined;
  }

  /** Counts an accepted connection (its remoteAddress is the normalised source IP). */
  add(conn: E): void {
    this.open.add(conn);
    this.perIp.set(conn.remoteAddress, (this.perIp.get(conn.remoteAddress) ?? 0) + 1);
  }

  /** Forgets a closed connection. */
  release(conn: E): void {
    if (!this.open.delete(conn)) return;
    const n = (this.perIp.get(conn.remoteAddress) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(conn.remoteAddress);
    else this.perIp.set(conn.remoteAddress, n);
  }

  /** Logs a refusal at warn, at most once a second (with the count suppressed since). */
  logRefusal(ip: string, reason: Refusal['reason']): void {
    const now = this.now();
    if (now - this.lastRefusalLog >= 1_000) {
      this.logger?.warn('tcp.refused', { address: ip, reason, suppressed: this.suppressedRefusals });
      this.lastRefusalLog = now;
      this.suppressedRefusals = 0;
    } else {
      this.suppressedRefusals++;
    }
  }
}
