/** Abuse limits of a host service, each with its default (documented in README "Limits"). */
import { DEFAULT_FLOOD_BURST, DEFAULT_FLOOD_RATE, DEFAULT_MAX_FRAME_BYTES } from '@ims/codec';
import { HOST_DEFAULTS, type HostOptions } from '@ims/channel-core';
import { TRANSPORT_DEFAULTS } from '@ims/transport';
import { ConfigError } from '@ims/app-kit';

/** Every resource cap of the host service. */
export interface HostLimits {
  /** Largest frame body accepted; a larger length field closes the connection (fatal). @default 65_536 */
  readonly maxFrameBytes?: number;
  /** Open TCP connections in total. @default 10_000 */
  readonly maxConnections?: number;
  /** Open TCP connections from one IP address. @default 2048 */
  readonly maxConnectionsPerIp?: number;
  /** ms allowed for the first frame, and for any started frame to complete (slowloris). 0 disables. @default 30_000 */
  readonly idleTimeoutMs?: number;
  /** Bytes waiting to be sent to one connection before it is dropped as a slow reader. @default 1_048_576 */
  readonly maxSendQueueBytes?: number;
  /** Sustained frames per second per connection (token bucket refill). @default 100 */
  readonly floodRate?: number;
  /** Frames a connection may send in a burst (bucket size). @default 200 */
  readonly floodBurst?: number;
  /**
   * Sustained frames per second from one IP address, shared by all its connections (token bucket
   * refill): 20 connections at the per-connection rate, or 100 clients behind one NAT address
   * posting 20 a second each. @default 2000
   */
  readonly floodRatePerIp?: number;
  /** Frames one IP address may send in a burst, all its connections together (bucket size). @default 4000 */
  readonly floodBurstPerIp?: number;
  /** New connections accepted per second from one IP address after a burst: a reconnect loop is paid for by its address. @default 20 */
  readonly connectionRatePerIp?: number;
  /** New connections one IP address may open at once (bucket size). @default 1024 */
  readonly connectionBurstPerIp?: number;
  /**
   * Deliveries per second one channel may cost (a SAY to 200 members is 200), so its fan-out cannot
   * make other channels wait: a channel of 1,000 members may post 50 times a second. More: the
   * posting connection is held back (paused, no ERROR; docs/protocol.md §6.2). @default 50000
   */
  readonly fanoutRatePerChannel?: number;
  /**
   * Deliveries one channel may make in a burst: also what it may do in one go, so another channel
   * waits at most that long behind it (about half a millisecond; measured, 1,000 or 5,000 let one
   * flooding connection double a quiet channel's p99). A post to more members than this still goes
   * out, then the channel waits for the refill. @default 500
   */
  readonly fanoutBurstPerChannel?: number;
  /** Frames dropped in a row for flooding before the connection is closed. @default 100 */
  readonly floodMaxDropped?: number;
  /** ms a graceful close waits for queued bytes before destroying the socket. @default 2_000 */
  readonly closeTimeoutMs?: number;
  /** Posts kept per channel and sent on join. @default 1000 */
  readonly historyLimit?: number;
  /** Live channels. @default 10_000 */
  readonly maxChannels?: number;
  /** Members per channel. @default 10_000 */
  readonly maxMembersPerChannel?: number;
  /** Distinct peer IDs one INVITE may name; more: `ERROR TOO_MANY_INVITEES`, nobody invited. @default 64 */
  readonly maxInviteIds?: number;
  /** INVITEs of one connection announced per second (SERVER_INVITE), in bursts of as many; more: `ERROR INVITE_RATE`. @default 2 */
  readonly invitesPerSecond?: number;
  /** INVITEs the whole host announces per second (all connections together), in bursts of as many; more: `ERROR INVITE_RATE`. @default 20 */
  readonly hostInvitesPerSecond?: number;
  /** Peer IDs admitted to one private channel (creator plus invited); more: `ERROR ADMISSION_FULL`. @default 10_000 */
  readonly maxAdmittedPerChannel?: number;
  /** Private channels whose admission list is kept (live, closed, stored, learned as standby; never evicted); beyond, a new private channel is refused (`TOO_MANY_CHANNELS`). @default 10_000 */
  readonly maxPrivateChannels?: number;
  /** ms a JOIN claiming the ID of a member on a live connection waits for that connection to fail its check; then `ERROR ID_IN_USE` (docs/protocol.md §10). @default 2000 */
  readonly replaceCheckMs?: number;
  /** Channels one remote address may create per second after its burst; more: `ERROR CREATE_RATE`. @default 10 */
  readonly channelCreationsPerSecond?: number;
  /** Channels one remote address may create at once; 0 turns the creation limits off. @default 512 */
  readonly channelCreationBurst?: number;
  /** Private channels one remote address may create per hour after its burst (their admission lists are kept for good); more: `ERROR CREATE_RATE`. @default 60 */
  readonly privateCreationsPerHour?: number;
  /** Private channels one remote address may create at once. @default 16 */
  readonly privateCreationBurst?: number;
}

/**
 * The defaults of {@link HostLimits}: the one table every layer reads (the channel-server's flags
 * take their defaults from it). Numbers owned by a lower layer are read from it, not repeated.
 */
export const DEFAULT_HOST_LIMITS: Required<HostLimits> = Object.freeze({
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxConnections: TRANSPORT_DEFAULTS.maxConnections,
  maxConnectionsPerIp: TRANSPORT_DEFAULTS.maxConnectionsPerIp,
  idleTimeoutMs: TRANSPORT_DEFAULTS.idleTimeoutMs,
  maxSendQueueBytes: TRANSPORT_DEFAULTS.maxSendQueueBytes,
  floodRate: DEFAULT_FLOOD_RATE,
  floodBurst: DEFAULT_FLOOD_BURST,
  floodRatePerIp: 20 * DEFAULT_FLOOD_RATE,
  floodBurstPerIp: 20 * DEFAULT_FLOOD_BURST,
  connectionRatePerIp: TRANSPORT_DEFAULTS.connectionRatePerIp,
  connectionBurstPerIp: TRANSPORT_DEFAULTS.connectionBurstPerIp,
  fanoutRatePerChannel: 50_000,
  fanoutBurstPerChannel: 500,
  floodMaxDropped: 100,
  closeTimeoutMs: TRANSPORT_DEFAULTS.closeTimeoutMs,
  historyLimit: HOST_DEFAULTS.historyLimit,
  maxChannels: HOST_DEFAULTS.maxChannels,
  maxMembersPerChannel: HOST_DEFAULTS.maxMembersPerChannel,
  maxInviteIds: HOST_DEFAULTS.maxInviteIds,
  invitesPerSecond: HOST_DEFAULTS.invitesPerSecond,
  hostInvitesPerSecond: HOST_DEFAULTS.hostInvitesPerSecond,
  maxAdmittedPerChannel: HOST_DEFAULTS.maxAdmittedPerChannel,
  maxPrivateChannels: HOST_DEFAULTS.maxPrivateChannels,
  replaceCheckMs: HOST_DEFAULTS.replaceCheckMs,
  channelCreationsPerSecond: HOST_DEFAULTS.channelCreationsPerSecond,
  channelCreationBurst: HOST_DEFAULTS.channelCreationBurst,
  privateCreationsPerHour: HOST_DEFAULTS.privateCreationsPerHour,
  privateCreationBurst: HOST_DEFAULTS.privateCreationBurst,
});

/** Smallest valid value of each limit (`idleTimeoutMs` 0 disables the timeout). */
const MINIMUM: Readonly<Record<keyof HostLimits, number>> = {
  maxFrameBytes: 1,
  maxConnections: 1,
  maxConnectionsPerIp: 1,
  idleTimeoutMs: 0,
  maxSendQueueBytes: 1,
  floodRate: Number.MIN_VALUE,
  floodBurst: 1,
  floodRatePerIp: Number.MIN_VALUE,
  floodBurstPerIp: 1,
  connectionRatePerIp: Number.MIN_VALUE,
  connectionBurstPerIp: 1,
  fanoutRatePerChannel: Number.MIN_VALUE,
  fanoutBurstPerChannel: 1,
  floodMaxDropped: 1,
  closeTimeoutMs: 0,
  historyLimit: 0,
  maxChannels: 1,
  maxMembersPerChannel: 1,
  maxInviteIds: 1,
  invitesPerSecond: 1,
  hostInvitesPerSecond: 1,
  maxAdmittedPerChannel: 1,
  maxPrivateChannels: 1,
  replaceCheckMs: 1,
  channelCreationsPerSecond: 1,
  channelCreationBurst: 0,
  privateCreationsPerHour: 1,
  privateCreationBurst: 1,
};

/** Defaults filled in and every value checked; throws ConfigError naming the bad limit. */
export function resolveHostLimits(limits: HostLimits = {}): Required<HostLimits> {
  const out = { ...DEFAULT_HOST_LIMITS };
  for (const key of Object.keys(MINIMUM) as (keyof HostLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value) || value < MINIMUM[key]) {
      throw new ConfigError(
        'CONFIG_INVALID_VALUE',
        `host limit '${key}' must be a number >= ${MINIMUM[key] === Number.MIN_VALUE ? '> 0' : MINIMUM[key]}, got ${String(value)}`,
        key,
      );
    }
    out[key] = value;
  }
  return Object.freeze(out);
}

/** The host reducer's options for peer `hostId` under `limits` (its share of them). */
export function hostOptionsOf(hostId: string, limits: Required<HostLimits>): HostOptions {
  return {
    hostId,
    historyLimit: limits.historyLimit,
    maxChannels: limits.maxChannels,
    maxMembersPerChannel: limits.maxMembersPerChannel,
    maxInviteIds: limits.maxInviteIds,
    invitesPerSecond: limits.invitesPerSecond,
    hostInvitesPerSecond: limits.hostInvitesPerSecond,
    maxAdmittedPerChannel: limits.maxAdmittedPerChannel,
    maxPrivateChannels: limits.maxPrivateChannels,
    replaceCheckMs: limits.replaceCheckMs,
    channelCreationsPerSecond: limits.channelCreationsPerSecond,
    channelCreationBurst: limits.channelCreationBurst,
    privateCreationsPerHour: limits.privateCreationsPerHour,
    privateCreationBurst: limits.privateCreationBurst,
  };
}

/** The reducer's refusal codes (channel-core's ChannelErrorCode) and ignored INVITE IDs: counted in `errors`. */
export const REDUCER_CODES: ReadonlySet<string> = new Set([
  'NOT_JOINED',
  'ONE_CHANNEL_PER_CONNECTION',
  'TOO_MANY_CHANNELS',
  'CHANNEL_FULL',
  'NOT_INVITED',
  'ADMISSION_FULL',
  'BAD_CHANNEL_NAME',
  'REPLACED',
  'TOO_MANY_INVITEES',
  'INVITE_RATE',
  'INVITE_UNKNOWN_IDS',
  'ID_IN_USE',
  'CREATE_RATE',
]);
