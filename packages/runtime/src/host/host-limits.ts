/** Abuse limits of a host service, each with its default (documented in README "Limits"). */
import { DEFAULT_MAX_FRAME_BYTES } from '@ims/codec';

/** Every resource cap of the host service. */
export interface HostLimits {
  /** Largest frame body accepted; a larger length field closes the connection (fatal). @default 65_536 */
  readonly maxFrameBytes?: number;
  /** Open TCP connections in total. @default 1024 */
  readonly maxConnections?: number;
  /** Open TCP connections from one IP address. @default 64 */
  readonly maxConnectionsPerIp?: number;
  /** ms allowed for the first frame, and for any started frame to complete (slowloris). 0 disables. @default 30_000 */
  readonly idleTimeoutMs?: number;
  /** Bytes waiting to be sent to one connection before it is dropped as a slow reader. @default 1_048_576 */
  readonly maxSendQueueBytes?: number;
  /** Sustained frames per second per connection (token bucket refill). @default 100 */
  readonly floodRate?: number;
  /** Frames a connection may send in a burst (bucket size). @default 200 */
  readonly floodBurst?: number;
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
}

/** The defaults of {@link HostLimits}. */
export const DEFAULT_HOST_LIMITS: Required<HostLimits> = Object.freeze({
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxConnections: 1024,
  maxConnectionsPerIp: 64,
  idleTimeoutMs: 30_000,
  maxSendQueueBytes: 1_048_576,
  floodRate: 100,
  floodBurst: 200,
  floodMaxDropped: 100,
  closeTimeoutMs: 2_000,
  historyLimit: 1000,
  maxChannels: 10_000,
  maxMembersPerChannel: 10_000,
});
