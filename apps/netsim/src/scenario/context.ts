/** Validation helpers shared by the scenario validators: collect every error with its line. */
import { isValidChannelName } from '@ims/codec';
import { NetsimError } from '../errors.js';
import { RESERVED_NAMES } from './selectors.js';
import { didYouMean } from './suggest.js';
import type { ValuePath, YamlSource } from './yaml-source.js';

/** Host names double as peer IDs and process names: short, ASCII, no spaces. */
const HOST_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

/** Collects validation errors against one source. */
export class ValidationContext {
  readonly errors: NetsimError[] = [];
  /** Host groups made by `count:` (`c` → c1…cN), referenced as `c*`. */
  readonly groups = new Map<string, string[]>();
  constructor(readonly source: YamlSource) {}

  /** Records an error at `path`. */
  fail(path: ValuePath, message: string): void {
    const line = this.source.lineOf(path);
    const where = path.length > 0 ? ` (${path.join('.')})` : '';
    this.errors.push(new NetsimError('SCENARIO_INVALID', `${this.source.file}:${line}: ${message}${where}`, { file: this.source.file, line }));
  }

  /** Line of `path`, for steps and expectations. */
  line(path: ValuePath): number {
    return this.source.lineOf(path);
  }

  /** A plain object, or an error. */
  record(value: unknown, path: ValuePath, what: string): Record<string, unknown> | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    this.fail(path, `${what} must be a mapping`);
    return undefined;
  }

  /** Rejects keys outside `allowed`, so typos never pass silently; a close key is suggested. */
  onlyKeys(obj: Record<string, unknown>, path: ValuePath, allowed: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.fail([...path, key], `unknown key "${key}"${didYouMean(key, allowed)} (expected one of: ${allowed.join(', ')})`);
    }
  }

  /** A non-empty string. */
  string(value: unknown, path: ValuePath, what: string): string | undefined {
    if (typeof value === 'string' && value.length > 0) return value;
    this.fail(path, `${what} must be a non-empty string`);
    return undefined;
  }

  /** A finite number within [min, max]. */
  number(value: unknown, path: ValuePath, what: string, min: number, max: number): number | undefined {
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
    this.fail(path, `${what} must be a number from ${min} to ${max}`);
    return undefined;
  }

  /** A boolean. */
  bool(value: unknown, path: ValuePath, what: string): boolean | undefined {
    if (typeof value === 'boolean') return value;
    this.fail(path, `${what} must be true or false`);
    return undefined;
  }

  /** One string or a list of strings, as a list. */
  stringList(value: unknown, path: ValuePath, what: string): string[] {
    if (typeof value === 'string' && value.length > 0) return [value];
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v.length > 0)) return value as string[];
    this.fail(path, `${what} must be a name or a non-empty list of names`);
    return [];
  }

  /** Like `stringList`, with each `group*` replaced by the group's hosts. */
  hostList(value: unknown, path: ValuePath, what: string): string[] {
    return this.stringList(value, path, what).flatMap((n) => {
      if (!n.endsWith('*')) return [n];
      const members = this.groups.get(n.slice(0, -1));
      if (!members) this.fail(path, `no host group "${n.slice(0, -1)}" (groups come from count:)`);
      return members ?? [];
    });
  }

  /** Checks a host name's syntax (and that it is no selector word, see selectors.ts). */
  hostName(name: string, path: ValuePath): boolean {
    if (RESERVED_NAMES.includes(name)) {
      this.fail(path, `host name "${name}" is reserved: it selects hosts by role`);
      return false;
    }
    if (HOST_NAME.test(name)) return true;
    this.fail(path, `host name "${name}" must match ${HOST_NAME.source}`);
    return false;
  }

  /** Checks a channel name's syntax. */
  channelName(value: unknown, path: ValuePath): string | undefined {
    if (typeof value === 'string' && isValidChannelName(value)) return value;
    this.fail(path, `channel must start with # (public) or @ (private), then printable ASCII`);
    return undefined;
  }
}
