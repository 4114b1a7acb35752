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
export type { ConfigErrorCode, ConfigSource } from './config/config-error.js';
