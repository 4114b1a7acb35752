/** Defaults of the transport's limits: the one place these numbers are written (higher layers read them). */

/** Default caps and timeouts of listeners, connections and dials (each documented where its option is). */
export const TRANSPORT_DEFAULTS = Object.freeze({
  /** Open connections of one listener. */
  maxConnections: 10_000,
  /**
   * Open connections of one listener from one IP address. A client uses one per channel, and one box
   * (a `--standby-for` replica, or many peers behind one address) holds hundreds: 2,048 is 5 times
   * the 400 memberships of the failover herd case, and still a fifth of `maxConnections`, so one
   * address cannot take a server alone.
   */
  maxConnectionsPerIp: 2_048,
  /**
   * New connections accepted per second from one IP address, after a burst of
   * `connectionBurstPerIp`: a reconnect loop is paid for by its address. 100 clients behind one NAT
   * address in 4 channels each, reconnecting once a minute, need about 7 a second.
   */
  connectionRatePerIp: 20,
  /** New connections one IP address may open at once: a failover herd of 400 memberships from one box fits twice. */
  connectionBurstPerIp: 1_024,
  /** ms the first frame, or any started frame, may stay incomplete (slowloris); 0 disables. */
  idleTimeoutMs: 30_000,
  /** Bytes waiting to be sent (our queue plus the socket's buffer) before a peer is dropped as a slow reader. */
  maxSendQueueBytes: 1_048_576,
  /** ms a graceful close waits for queued bytes to reach the peer before destroying the socket. */
  closeTimeoutMs: 2_000,
  /**
   * Bytes a closing (or refused) connection reads and discards while it waits for the peer's FIN;
   * more and it is destroyed at once: a peer that floods a closing connection costs one read, not a
   * copy of everything it can send. An honest peer has a frame or two in flight.
   */
  closeDiscardBytes: 65_536,
  /** ms a dial may take before CONNECT_TIMEOUT. */
  connectTimeoutMs: 5_000,
  /** Random ports tried when a listener is asked for port 0. */
  portTries: 64,
});
