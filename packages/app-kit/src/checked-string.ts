/**
 * A string configuration field validated by a predicate, so an app can check a value with a rule
 * another package owns (a codec name rule, an interface name) instead of copying it as a regex.
 */
import type { ConfigField } from './fields.js';

/** What {@link checkedString} checks and documents. */
export interface CheckedStringOptions {
  /** What a valid value looks like, for error messages, e.g. `a peer ID (visible ASCII)`. */
  readonly expected: string;
  /** One-line description (for --help and READMEs). */
  readonly doc?: string;
}

/** A non-empty string accepted when `check` holds; `def` undefined makes the key optional. */
export function checkedString<D extends string | undefined>(
  def: D,
  check: (value: string) => boolean,
  o: CheckedStringOptions,
): ConfigField<string | D> {
  return {
    default: def,
    expected: o.expected,
    doc: o.doc,
    parse: (raw) => (typeof raw === 'string' && raw !== '' && check(raw) ? raw : undefined),
  };
}
