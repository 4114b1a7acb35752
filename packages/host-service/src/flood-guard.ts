/**
 * Flood control in front of the reducer (docs/protocol.md §6.2 FLOOD, §9): every frame spends a
 * token of its connection's bucket and of the bucket its address shares with its other
 * connections. A frame over either budget is dropped and answered; a connection with too many
 * drops in a row is closed.
 */
import { encodeFrame } from '@ims/codec';
import type { Logger } from '@ims/app-kit';
import { type AddressBucket, AddressBudgets } from './address-budget.js';
import type { HostEntry } from './host-entry.js';
import type { HostLimits } from './host-limits.js';

/** What the guard does through the service. */
export interface FloodActions {
  /** Counts one event under `code` in `stats().errors`. */
  count(code: string): void;
  /** Sends `bytes` to `entry`, in order with its other replies. */
  send(entry: HostEntry, bytes: Uint8Array): void;
  /** Closes `entry` after what was sent. */
  close(entry: HostEntry, reason: string): void;
}

/** Which budget a dropped frame was over. */
type Cause = 'connection' | 'address';

/** The per-connection and per-address frame budgets of one host service. */
export class FloodGuard {
  private readonly addresses: AddressBudgets;
  /** Replies encoded once: a flood must not cost an encode per dropped frame. */
  private readonly replies: Readonly<Record<Cause, { readonly say: Uint8Array; readonly other: Uint8Array }>>;
  private readonly closing = encodeFrame({ cmd: 'ERROR', reason: 'FLOOD: too many frames dropped, closing' });

  constructor(
    private readonly limits: Required<HostLimits>,
    private readonly logger: Logger,
    private readonly act: FloodActions,
  ) {
    this.addresses = new AddressBudgets(limits.floodRatePerIp, limits.floodBurstPerIp);
    const replies = (over: string) => ({
      say: encodeFrame({ cmd: 'ERROR', reason: `FLOOD: ${over}, frame dropped; send it again later` }),
      other: encodeFrame({ cmd: 'ERROR', reason: `FRAMES_DROPPED: ${over}, frames dropped` }),
    });
    this.replies = {
      connection: replies(`more than ${limits.floodRate} frames/s`),
      address: replies(`more than ${limits.floodRatePerIp} frames/s from this address`),
    };
  }

  /** The budget `address` shares, for a new connection from it; give it back with {@link release}. */
  acquire(address: string, now: number): AddressBucket {
    return this.addresses.acquire(address, now);
  }

  /** The connection of `entry` is gone. */
  release(entry: HostEntry): void {
    this.addresses.release(entry.address);
  }

  /**
   * True when a frame of `entry` may go on at `now`. Otherwise it was dropped: a SAY gets its own
   * `FLOOD` (one reply per SAY, in order with the echoes, so the author knows what to send again);
   * other frames one `FRAMES_DROPPED` per episode (never `FLOOD`, which a member reads as "my
   * oldest unanswered SAY was refused"), so a garbage flood is not amplified.
   */
  admit(entry: HostEntry, say: boolean, now: number): boolean {
    // The address is only charged for frames its connection's own budget lets through.
    const cause: Cause | undefined = !entry.take(now) ? 'connection' : !entry.address.take(now) ? 'address' : undefined;
    if (cause === undefined) {
      entry.dropped = 0;
      return true;
    }
    this.act.count(cause === 'connection' ? 'FLOOD' : 'FLOOD_PER_IP');
    entry.dropped++;
    if (entry.dropped === 1) this.logger.warn('host.flood', { conn: entry.conn.id, remote: entry.conn.remoteAddress, over: cause });
    if (say) this.act.send(entry, this.replies[cause].say);
    else if (entry.dropped === 1) this.act.send(entry, this.replies[cause].other);
    if (entry.dropped >= this.limits.floodMaxDropped) {
      this.act.send(entry, this.closing);
      this.act.close(entry, 'flood');
    }
    return false;
  }
}
