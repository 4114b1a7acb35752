/**
 * @ims/app-kit: what every ims app needs around its core: a JSON-lines logger, a configuration
 * loader (defaults ← JSON file ← `IMS_*` environment ← flags, validated once, frozen), its
 * commander options, and the command-line error type.
 *
 * @example
 * ```ts
 * import { addConfigOptions, createLogger, field, loadCommandConfig } from '@ims/app-kit';
 * const spec = { port: field.port(0, { allowZero: true }) };
 * const program = addConfigOptions(new Command('channel-server'), spec).parse();
 * const config = loadCommandConfig(program, spec);
 * const logger = createLogger({ level: 'info', base: { app: 'channel-server' } });
 * logger.info('started', { port: config.port });
 * ```
 * @packageDocumentation
 */
export { createLogger, LOG_LEVELS } from './logger.js';
export type { Logger, LogLevel } from './logger.js';
export { field } from './fields.js';
export type { ConfigField } from './fields.js';
export { describeConfig } from './load-config.js';
export type { ConfigOf } from './load-config.js';
export { checkedString } from './checked-string.js';
export { addConfigOptions, loadCommandConfig } from './command-config.js';
export { ConfigError } from './config-error.js';
export { UsageError } from './usage-error.js';
export type { CliOutput } from './usage-error.js';
export { installNetsimClock, netsimHold } from './netsim-hooks.js';
export { SECURE_CONFIG_SPEC } from './secure-fields.js';
