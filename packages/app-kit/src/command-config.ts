/**
 * A config spec as commander options: `--config <file>` plus one option per key, described with
 * the key's doc, default and env name; and the loader that turns a parsed command into the config.
 * No option gets a commander default: a flag only counts when it was given, so env and file values
 * are not overridden by defaults (precedence: defaults ← file ← env ← flags).
 */
import { Option, type Command } from 'commander';
import { describeConfig, loadConfig, type ConfigOf, type ConfigSpec } from './load-config.js';

/** Options of {@link addConfigOptions}. */
export interface ConfigOptionsOptions<S extends ConfigSpec> {
  /** Placeholder of a key's value in --help, e.g. `{ id: 'peerId' }` shows `--id <peerId>`. @default 'value' */
  readonly placeholders?: { readonly [K in keyof S]?: string };
  /** Prefix of the environment names shown. @default 'IMS_' */
  readonly envPrefix?: string;
}

/** Options of {@link loadCommandConfig}. */
export interface CommandConfigOptions {
  /** Environment to read. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Prefix of environment variables. @default 'IMS_' */
  readonly envPrefix?: string;
}

/**
 * Adds `--config <file>` and one option per key of `spec`. A boolean key is a switch: `--no-key`
 * when its default is true (like `--no-host`), else `--key`; every other key takes a value.
 */
export function addConfigOptions<S extends ConfigSpec>(command: Command, spec: S, options: ConfigOptionsOptions<S> = {}): Command {
  const prefix = options.envPrefix ?? 'IMS_';
  command.addOption(new Option('--config <file>', `JSON file of settings, keyed like the ${prefix}* names in camelCase [env ${prefix}CONFIG]`));
  const placeholders = (options.placeholders ?? {}) as Readonly<Record<string, string | undefined>>;
  for (const row of describeConfig(spec, prefix)) {
    const doc = row.doc ?? row.expected;
    if (typeof row.default === 'boolean') {
      const flag = row.default ? `--no-${row.flag.slice(2)}` : row.flag;
      const def = row.default ? ` (default: true; ${flag} turns it off)` : ' (default: false)';
      command.addOption(new Option(flag, `${doc}${def} [env ${row.env}]`));
      continue;
    }
    const none = row.default === undefined || (Array.isArray(row.default) && row.default.length === 0);
    const def = none ? (doc.includes('(default:') ? '' : ' (default: none)') : ` (default: ${JSON.stringify(row.default)})`;
    command.addOption(new Option(`${row.flag} <${placeholders[row.key] ?? 'value'}>`, `${doc}${def} [env ${row.env}]`));
  }
  return command;
}

/**
 * The configuration of a parsed `command` (a subcommand sees its parents' options too): defaults ←
 * `--config` file (else env `IMS_CONFIG`) ← env ← the flags given on the command line. Throws ConfigError.
 */
export function loadCommandConfig<S extends ConfigSpec>(command: Command, spec: S, options: CommandConfigOptions = {}): ConfigOf<S> {
  const given = command.optsWithGlobals<Record<string, unknown>>();
  const flags: Record<string, unknown> = {};
  // Only values from the command line: commander's implicit `true` of a `--no-x` switch is not a flag.
  for (const key of Object.keys(spec)) {
    if (command.getOptionValueSourceWithGlobals(key) === 'cli') flags[key] = given[key];
  }
  const file = command.getOptionValueSourceWithGlobals('config') === 'cli' ? given['config'] : undefined;
  return loadConfig(spec, {
    flags: flags as { [K in keyof S]?: unknown },
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.envPrefix === undefined ? {} : { envPrefix: options.envPrefix }),
    ...(typeof file === 'string' ? { file } : {}),
  });
}
