/**
 * Flood control in front of the reducer (docs/protocol.md §6.2 FLOOD, §9): every frame spends a
 * token of its connection's bucket and of the bucket its address shares with its other
 * connections, and a SAY needs its channel's fan-out budget (channel-budget.ts). A frame over its
 * connection's own budget is dropped and answered (FLOOD), and a connection with too many drops in
 * a row is closed. Over a shared budget (its address's, its channel's) the connection is held
 * back instead (hold-back.ts): paused, its frames wait in TCP and come again later, so honest
 * clients sharing an address or a busy channel are slowed, never refused, and holding back costs
 * the host nothing.
 */
import { encodeFrame } from '@ims/codec';
import type { HostEffect } from '@ims/channel-core';
import type { Logger } from '@ims/app-kit';
import { type AddressBucket, AddressBudgets } from './address-budget.js';
import { ChannelBudgets } from './channel-budget.js';
import type { HoldBack } from './hold-back.js';
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
type Cause = 'connection' | 'address' | 'channel';

/** The `stats().errors` code of a frame dropped (FLOOD) or held back, by cause. */
const COUNTED: Readonly<Record<Cause, string>> = { connection: 'FLOOD', address: 'HELD_BACK_PER_IP', channel: 'HELD_BACK_PER_CHANNEL' };

/** The per-connection and per-address frame budgets of one host service. */
export class FloodGuard {
  private readonly addresses: AddressBudgets;
  private readonly channels: ChannelBudgets;
  /** Replies encoded once: a flood must not cost an encode per dropped frame. */
  private readonly replies: { readonly say: Uint8Array; readonly other: Uint8Array };
  private readonly closing = encodeFrame({ cmd: 'ERROR', reason: 'FLOOD: too many frames dropped, closing' });

  constructor(
    private readonly limits: Required<HostLimits>,
    private readonly logger: Logger,
    private readonly act: FloodActions,
    private readonly holdBack: HoldBack,
  ) {
    this.addresses = new AddressBudgets(limits.floodRatePerIp, limits.floodBurstPerIp);
    this.channels = new ChannelBudgets(limits.fanoutRatePerChannel, limits.fanoutBurstPerChannel);
    const over = `more than ${limits.floodRate} frames/s`;
    this.replies = {
      say: encodeFrame({ cmd: 'ERROR', reason: `FLOOD: ${over}, frame dropped; send it again later` }),
      other: encodeFrame({ cmd: 'ERROR', reason: `FRAMES_DROPPED: ${over}, frames dropped` }),
    };
  }

  /** The budget `address` shares, for a new connection from it; give it back with {@link release}. */
  acquire(address: string, now: number): AddressBucket {
    return this.addresses.acquire(address, now);
  }

  /** The connection of `entry` is gone. */
  release(entry: HostEntry): void {
    this.addresses.release(entry.addressBudget);
    this.holdBack.forget(entry);
  }

  /**
   * True when a frame of `entry` may go on at `now`. Otherwise it was held back (it comes again
   * later) or dropped: a SAY gets its own `FLOOD` (one reply per SAY, in order with the echoes, so
   * the author knows what to send again); other frames one `FRAMES_DROPPED` per episode (never
   * `FLOOD`, which a member reads as "my oldest unanswered SAY was refused"), so a garbage flood is
   * not amplified.
   */
  admit(entry: HostEntry, say: boolean, now: number): boolean {
    const cause = this.over(entry, say, now);
    if (cause === undefined) {
      entry.dropped = 0;
      if (entry.holdStreak > 0) this.holdBack.passed(entry);
      return true;
    }
    this.act.count(COUNTED[cause]);
    if (cause !== 'connection') {
      if (entry.heldBack++ === 0) this.logger.warn('host.held_back', { conn: entry.conn.id, remote: entry.conn.remoteAddress, over: cause });
      this.holdBack.hold(entry);
      return false;
    }
    entry.dropped++;
    if (entry.dropped === 1) this.logger.warn('host.flood', { conn: entry.conn.id, remote: entry.conn.remoteAddress, over: cause });
    if (say) this.act.send(entry, this.replies.say);
    else if (entry.dropped === 1) this.act.send(entry, this.replies.other);
    if (entry.dropped >= this.limits.floodMaxDropped) {
      this.act.send(entry, this.closing);
      this.act.close(entry, 'flood');
    }
    return false;
  }

  /**
   * The reducer's effects for a SAY of `entry`: its post's fan-out is charged to the channel, and
   * the entry keeps that channel's bucket for its next SAY (looked up again each time, so a bucket
   * swept meanwhile is replaced by the live one).
   */
  charge(entry: HostEntry, fx: readonly HostEffect[], now: number): void {
    let channel: string | undefined;
    let deliveries = 0;
    for (const e of fx) {
      if (e.kind === 'persist') channel = e.channel;
      else if (e.kind === 'broadcast' && e.command.cmd === 'SAY') deliveries = e.conns.length;
    }
    if (channel === undefined) return;
    entry.channel = this.channels.get(channel, now);
    entry.channel.charge(deliveries);
  }

  /**
   * The reducer's effects for a JOIN of `entry` to `channel`: once joined (the STANDBY after a JOIN
   * reaches it: sent to it alone, or broadcast when the standby changed), the entry takes that
   * channel's bucket, so even its first SAY is checked.
   */
  joined(entry: HostEntry, channel: string, fx: readonly HostEffect[], now: number): void {
    const id = entry.conn.id;
    for (const e of fx) {
      const toIt = (e.kind === 'send' && e.conn === id) || (e.kind === 'broadcast' && e.conns.includes(id));
      if (toIt && e.command.cmd === 'STANDBY') {
        entry.channel = this.channels.get(channel, now);
        return;
      }
    }
  }

  /**
   * Which budget a frame of `entry` is over, if any. Tokens are taken only when all budgets admit
   * it: a frame held back is charged when it comes again, not twice.
   */
  private over(entry: HostEntry, say: boolean, now: number): Cause | undefined {
    if (!entry.has(now)) return 'connection';
    if (say && entry.channel !== undefined && !entry.channel.admits(now)) return 'channel';
    if (!entry.addressBudget.take(now)) return 'address';
    entry.take(now);
    return undefined;
  }
}
