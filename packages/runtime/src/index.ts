/**
 * Node wiring shared by the ims apps: JSON logger, config loader, TCP transport with framed,
 * batched, bounded writes, and the host service that runs channel-core's host over it.
 *
 * @example
 * ```ts
 * import { createLogger, loadConfig, field } from '@ims/runtime';
 * const config = loadConfig({ port: field.port(0, { allowZero: true }) }, { flags: program.opts() });
 * const logger = createLogger({ level: 'info', base: { app: 'channel-server' } });
 * logger.info('started', { port: config.port });
 * ```
 * @packageDocumentation
 */
export { createLogger, isLogLevel, LOG_LEVELS } from './log/logger.js';
export type { Logger, LoggerOptions, LogLevel, LogFields, LogStream } from './log/logger.js';
export { parseDuration, parseInteger, parseBoolean, parseBytes } from './config/parse.js';
export { field } from './config/fields.js';
export type { ConfigField, RangeOptions } from './config/fields.js';
export { loadConfig, describeConfig, envName } from './config/load-config.js';
export type { ConfigSpec, ConfigOf, LoadConfigOptions } from './config/load-config.js';
export { ConfigError } from './config/config-error.js';
export { UsageError } from './config/usage-error.js';
export type { CliOutput } from './config/usage-error.js';
export type { ConfigErrorCode, ConfigSource } from './config/config-error.js';
export { decodeFrames, encodeFrames } from './tcp/frame-operators.js';
export type { FrameDecoderLike } from './tcp/frame-operators.js';
export { wrapSocket } from './tcp/tcp-connection.js';
export type { TcpConnection, ConnectionOptions, CloseInfo } from './tcp/tcp-connection.js';
export { listenTcp } from './tcp/tcp-listener.js';
export type { TcpListener, ListenOptions, Refusal } from './tcp/tcp-listener.js';
export { dialTcp } from './tcp/tcp-dialer.js';
export type { DialOptions } from './tcp/tcp-dialer.js';
export { TransportError } from './tcp/transport-error.js';
export type { TransportErrorCode } from './tcp/transport-error.js';
export { startHostService } from './host/host-service.js';
export type { HostService, HostServiceOptions, HostStats } from './host/host-service-types.js';
export { DEFAULT_HOST_LIMITS, resolveHostLimits } from './host/host-limits.js';
export type { HostLimits } from './host/host-limits.js';
export { memoryHistoryStore } from './host/history-store.js';
export type { HistoryStore, MemoryHistoryStoreOptions } from './host/history-store.js';
export { toHostPeers, hostDiscovery } from './host/host-discovery.js';
export type { HostDiscovery, DiscoveredPeer, DiscoveryLike } from './host/host-discovery.js';
export { TokenBucket } from './host/token-bucket.js';
export { Histogram, LATENCY_BUCKETS_US } from './host/histogram.js';
export type { HistogramSnapshot } from './host/histogram.js';
export { startMemberSession } from './member/member-session.js';
export type { MemberSession, MemberSessionOptions, TimedMemberEvent } from './member/member-session.js';
