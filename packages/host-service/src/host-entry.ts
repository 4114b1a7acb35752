/** One served connection as the host service sees it: its flood buckets and its sink, in one object. */
import type { ClientCommand, Decoded } from '@ims/codec';
import type { CloseInfo, Connection, ConnectionSink } from '@ims/transport';
import type { AddressBucket } from './address-budget.js';
import type { ChannelBucket } from './channel-budget.js';
import { type BucketLimit, TokenBucket } from './token-bucket.js';

/** Who handles an entry's frames and close. */
export interface EntryOwner {
  onFrame(entry: HostEntry, d: Decoded<ClientCommand>): void;
  onClosed(entry: HostEntry, info: CloseInfo): void;
}

/**
 * One object per connection, no closures or rx objects: a server holds thousands of idle ones. Its
 * own bucket is the per-connection budget, and it is the reducer's `remote` of the connection too
 * (`address` and `port` read through to it), so that is no object of its own either.
 */
export class HostEntry extends TokenBucket implements ConnectionSink<ClientCommand> {
  /** Frames dropped in a row for flooding. */
  dropped = 0;
  /** The fan-out budget of its channel, known once it posted there (channel-budget.ts). */
  channel: ChannelBucket | undefined = undefined;
  /** Times it was held back by a shared budget (hold-back.ts); its first is logged. */
  heldBack = 0;
  /** Holds in a row since a frame of it last got through (hold-back.ts: each doubles the wait). */
  holdStreak = 0;
  /** The wheel slot it waits in while held back (hold-back.ts), else undefined. */
  holdSlot: number | undefined = undefined;
  /** The host decided to close it (the close may wait for the turn's commit): later frames are ignored. */
  closing = false;

  constructor(
    readonly conn: Connection<ClientCommand>,
    private readonly owner: EntryOwner,
    /** The frame budget shared with the other connections from the same address (address-budget.ts). */
    readonly addressBudget: AddressBucket,
    /** The per-connection budget, shared by every entry. */
    limit: BucketLimit,
    now: number,
  ) {
    super(limit, now);
  }

  /** The remote address (channel-core's `remote.address`). */
  get address(): string {
    return this.conn.remoteAddress;
  }

  /** The remote port (channel-core's `remote.port`). */
  get port(): number {
    return this.conn.remotePort;
  }

  frame(d: Decoded<ClientCommand>): void {
    this.owner.onFrame(this, d);
  }

  closed(info: CloseInfo): void {
    this.owner.onClosed(this, info);
  }
}
