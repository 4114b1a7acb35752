/**
 * The label values /metrics always shows, so every abuse a peer can commit has its counter before
 * it first happens (issue 11 item 8; docs/protocol.md §6, §9). A code missing here still shows once
 * the host counts it; the lists only add the zeros.
 */
import type { DiscoveryStats } from '@ims/discovery';

/**
 * `ims_errors_total{code}`: decoding codes of a bad frame (docs/protocol.md §6.1), the host's
 * refusals (§6.2), accept refusals and connections the transport dropped, and internal failures.
 * Frames dropped for flooding count as FLOOD (over the connection's own budget), SAYs or not:
 * FRAMES_DROPPED is only the reply a dropped frame other than a SAY gets. A connection over a shared
 * budget is held back, not refused: HELD_BACK_PER_IP (its address's frames), HELD_BACK_PER_CHANNEL
 * (its channel's fan-out) count those pauses.
 */
export const HOST_ERROR_CODES: readonly string[] = [
  // §6.1: a bad frame costs one frame (FRAME_TOO_LARGE the connection).
  'FRAME_TOO_LARGE',
  'EMPTY_FRAME',
  'UNKNOWN_COMMAND',
  'WRONG_DIRECTION',
  'MISSING_FIELD',
  'BAD_UTF8',
  'BAD_NAME',
  // §6.2: the host logic's refusals.
  'NOT_JOINED',
  'ONE_CHANNEL_PER_CONNECTION',
  'TOO_MANY_CHANNELS',
  'CHANNEL_FULL',
  'NOT_INVITED',
  'ADMISSION_FULL',
  'TOO_MANY_INVITEES',
  'INVITE_RATE',
  'INVITE_UNKNOWN_IDS',
  'BAD_CHANNEL_NAME',
  'REPLACED',
  'ID_IN_USE',
  'IDENTITY_MISMATCH',
  'CREATE_RATE',
  'FLOOD',
  'HELD_BACK_PER_IP',
  'HELD_BACK_PER_CHANNEL',
  'STORE_UNAVAILABLE',
  // §6.2: refused at accept, or dropped by the transport without ERROR.
  'MAX_CONNECTIONS',
  'MAX_CONNECTIONS_PER_IP',
  'CONNECTION_RATE_PER_IP',
  'NOT_ACCEPTING',
  'SLOW_READER',
  'IDLE_TIMEOUT',
  'SOCKET_ERROR',
  // Secure mode (docs/security.md §3.2): a TLS handshake that failed, timed out or showed no accepted certificate.
  'SECURE_HANDSHAKE',
  // Bugs, logged at error: a value the encoder refused, discovery refusing an announcement.
  'ENCODE_ERROR',
  'DISCOVERY_ERROR',
];

/** Discovery counters shown as `ims_discovery_abuse_total{cause}` (their names in DiscoveryStats). */
export const DISCOVERY_ABUSE_CAUSES = [
  'oversize',
  'malformed',
  'warnings',
  'rateLimited',
  'peerRateLimited',
  'addressConflicts',
  'evicted',
  'peersRefused',
  'channelsRefused',
  'entriesLeftOut',
  'encodeErrors',
  // Secure mode (docs/security.md §3.3): datagrams dropped before they are read.
  'unauthenticated',
  'replayed',
  'notAdmitted',
  'identityMismatch',
  'secureIgnored',
] as const satisfies readonly (keyof DiscoveryStats)[];
