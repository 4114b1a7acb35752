/**
 * Configuration loading, done once at startup: defaults ← JSON file ← environment ← CLI flags.
 * Every value is validated by its field; the first bad one stops startup with a ConfigError that
 * names the key, where the value came from, and what is expected. The result is frozen.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigSource } from './config-error.js';
import type { ConfigField } from './fields.js';

/** The fields of a configuration, one per key. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each key has its own value type
export type ConfigSpec = Readonly<Record<string, ConfigField<any>>>;

/** The configuration object a spec describes: each key typed by its field. */
export type ConfigOf<S extends ConfigSpec> = { readonly [K in keyof S]: S[K] extends ConfigField<infer V> ? V : never };

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions<S extends ConfigSpec = ConfigSpec> {
  /** Path of a JSON config file (an object keyed like the spec). @default env `${envPrefix}CONFIG`, else none */
  readonly file?: string;
  /** Environment to read. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Prefix of environment variables: key `maxConnections` is read from `IMS_MAX_CONNECTIONS`. @default 'IMS_' */
  readonly envPrefix?: string;
  /** CLI flag values keyed like the spec (e.g. commander's `opts()`); `undefined` means not given. @default {} */
  readonly flags?: { readonly [K in keyof S]?: unknown };
  /** Reads the config file (tests inject one). @default fs.readFileSync(path, 'utf8') */
  readonly readFile?: (path: string) => string;
}

/** `maxConnectionsPerIp` → `MAX_CONNECTIONS_PER_IP`. */
export function envName(key: string, prefix = 'IMS_'): string {
  return prefix + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Loads, validates and freezes a configuration (defaults ← file ← env ← flags). Throws ConfigError. */
export function loadConfig<S extends ConfigSpec>(spec: S, options: LoadConfigOptions<S> = {}): ConfigOf<S> {
  const env = options.env ?? process.env;
  const prefix = options.envPrefix ?? 'IMS_';
  const path = options.file ?? env[`${prefix}CONFIG`];
  const fileValues = path === undefined || path === '' ? {} : readConfigFile(path, options.readFile);
  const keys = Object.keys(spec);
  for (const key of Object.keys(fileValues)) {
    if (!Object.hasOwn(spec, key)) {
      throw new ConfigError(
        'CONFIG_UNKNOWN_KEY',
        `config file ${path}: unknown key '${key}'. Remove it or use one of: ${keys.join(', ')}.`,
        key,
        'file',
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const f = spec[key] as ConfigField<unknown>;
    const flag = (options.flags as Record<string, unknown> | undefined)?.[key];
    const envKey = envName(key, prefix);
    const envVal = env[envKey];
    let raw: unknown;
    let source: ConfigSource;
    let where: string;
    if (flag !== undefined) [raw, source, where] = [flag, 'flag', `flag --${kebab(key)}`];
    else if (envVal !== undefined && envVal !== '') [raw, source, where] = [envVal, 'env', `env ${envKey}`];
    else if (Object.hasOwn(fileValues, key)) [raw, source, where] = [fileValues[key], 'file', `config file ${path}`];
    else {
      out[key] = f.default;
      continue;
    }
    const value = f.parse(raw);
    if (value === undefined) {
      throw new ConfigError(
        'CONFIG_INVALID_VALUE',
        `config key '${key}' (from ${where}): expected ${f.expected}, got ${JSON.stringify(raw)}. ` +
          `Fix the value or remove it to use the default (${JSON.stringify(f.default)}).`,
        key,
        source,
      );
    }
    out[key] = value;
  }
  return deepFreeze(out) as ConfigOf<S>;
}

/** Documentation rows for a spec: key, flag, env variable, default, expected (for --help and READMEs). */
export function describeConfig(
  spec: ConfigSpec,
  envPrefix = 'IMS_',
): { key: string; flag: string; env: string; default: unknown; expected: string; doc?: string }[] {
  return Object.keys(spec).map((key) => {
    const f = spec[key] as ConfigField<unknown>;
    return { key, flag: `--${kebab(key)}`, env: envName(key, envPrefix), default: f.default, expected: f.expected, doc: f.doc };
  });
}

function kebab(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function readConfigFile(path: string, read = (p: string) => readFileSync(p, 'utf8')): Record<string, unknown> {
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    throw new ConfigError('CONFIG_FILE_UNREADABLE', `config file ${path} cannot be read (${String(err)}). Check the path.`, undefined, 'file', { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('CONFIG_FILE_INVALID', `config file ${path} is not valid JSON (${String(err)}). Fix its syntax.`, undefined, 'file', { cause: err });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('CONFIG_FILE_INVALID', `config file ${path} must hold a JSON object of settings.`, undefined, 'file');
  }
  return parsed as Record<string, unknown>;
}

function deepFreeze<V>(value: V): V {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
