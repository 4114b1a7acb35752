/**
 * Typed configuration fields: a default, a parser for raw values (strings from env and flags, any
 * JSON value from a file) and a description of what is expected, used in error messages.
 */
import { parseBoolean, parseBytes, parseDuration, parseInteger } from './parse.js';

/** One configuration key: its default, how raw input becomes a value, and what is expected. */
export interface ConfigField<V> {
  /** The value when no source sets the key. */
  readonly default: V;
  /** Raw input (string from env/flags, JSON value from a file) to a value; undefined when invalid. */
  readonly parse: (raw: unknown) => V | undefined;
  /** What a valid value looks like, e.g. `an integer in 1..1000`. */
  readonly expected: string;
  /** One line describing the key (for --help and READMEs). */
  readonly doc?: string;
}

/** Range limits of numeric fields. */
export interface RangeOptions {
  /** Smallest accepted value. @default 0 */
  readonly min?: number;
  /** Largest accepted value. @default Number.MAX_SAFE_INTEGER */
  readonly max?: number;
  /** One-line description. */
  readonly doc?: string;
}

function ranged(
  def: number,
  parse: (raw: unknown) => number | undefined,
  what: string,
  o: RangeOptions,
): ConfigField<number> {
  const min = o.min ?? 0;
  const max = o.max ?? Number.MAX_SAFE_INTEGER;
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
  return {
    default: def,
    expected: `${what} ${range}`,
    doc: o.doc,
    parse: (raw) => {
      const n = parse(raw);
      return n !== undefined && n >= min && n <= max ? n : undefined;
    },
  };
}

/** Builders of typed configuration fields. */
export const field = {
  /** An integer. */
  int: (def: number, o: RangeOptions = {}): ConfigField<number> => ranged(def, parseInteger, 'an integer', o),
  /** A duration in ms; accepts `250`, `250ms`, `2s`, `1m`, `1h`. */
  duration: (def: number, o: RangeOptions = {}): ConfigField<number> =>
    ranged(def, parseDuration, 'a duration (e.g. 500ms, 2s, 1m)', o),
  /** A byte size; accepts `65536`, `64KiB`, `1MiB`. */
  bytes: (def: number, o: RangeOptions = {}): ConfigField<number> =>
    ranged(def, parseBytes, 'a size in bytes (e.g. 65536, 64KiB)', o),
  /** A TCP/UDP port; 0 means "pick one" when `allowZero`. */
  port: (def: number, o: { allowZero?: boolean; min?: number; max?: number; doc?: string } = {}): ConfigField<number> => {
    const min = o.min ?? 1;
    const max = o.max ?? 65_535;
    const f = ranged(def, parseInteger, 'a port', { min, max, doc: o.doc });
    if (!o.allowZero) return f;
    return { ...f, expected: `0 or ${f.expected}`, parse: (raw) => (parseInteger(raw) === 0 ? 0 : f.parse(raw)) };
  },
  /** A boolean; accepts true/false, 1/0, yes/no, on/off. */
  bool: (def: boolean, o: { doc?: string } = {}): ConfigField<boolean> => ({
    default: def,
    expected: 'a boolean (true/false)',
    doc: o.doc,
    parse: parseBoolean,
  }),
  /** A string, optionally matching `pattern`. */
  string: (def: string, o: { pattern?: RegExp; expected?: string; doc?: string } = {}): ConfigField<string> => ({
    default: def,
    expected: o.expected ?? (o.pattern ? `a string matching ${o.pattern}` : 'a non-empty string'),
    doc: o.doc,
    parse: (raw) => (typeof raw === 'string' && raw !== '' && (!o.pattern || o.pattern.test(raw)) ? raw : undefined),
  }),
  /** A string that may be absent (no default). */
  optionalString: (o: { pattern?: RegExp; doc?: string } = {}): ConfigField<string | undefined> => ({
    default: undefined,
    expected: o.pattern ? `a string matching ${o.pattern}` : 'a non-empty string',
    doc: o.doc,
    parse: (raw) => (typeof raw === 'string' && raw !== '' && (!o.pattern || o.pattern.test(raw)) ? raw : undefined),
  }),
  /** One of a fixed set of strings. */
  oneOf: <V extends string>(def: V, values: readonly V[], o: { doc?: string } = {}): ConfigField<V> => ({
    default: def,
    expected: `one of ${values.join(', ')}`,
    doc: o.doc,
    parse: (raw) => (typeof raw === 'string' && (values as readonly string[]).includes(raw) ? (raw as V) : undefined),
  }),
  /** A list of strings: a JSON array, or comma-separated text. */
  list: (def: readonly string[], o: { doc?: string } = {}): ConfigField<readonly string[]> => ({
    default: def,
    expected: 'a list of strings (comma-separated or a JSON array)',
    doc: o.doc,
    parse: (raw) => {
      if (Array.isArray(raw)) return raw.every((v) => typeof v === 'string') ? (raw as string[]) : undefined;
      if (typeof raw !== 'string') return undefined;
      return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    },
  }),
};
