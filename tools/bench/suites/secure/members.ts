/**
 * Simulated secure members: one identity (and so one leaf certificate) per member name, made once
 * and cached for the whole suite, since a run reuses the same names against several servers.
 */
import { performance } from 'node:perf_hooks';
import { generateIdentity, secureMode, type NetworkKey, type SecureMode } from '@ims/secure';

/** Secure modes by member name, all of one network. */
export interface MemberPool {
  /** The member `name`'s secure mode (made on first use). */
  modeOf(name: string): SecureMode;
  /** Make the modes of `names` now; returns the ms it took per new one (NaN when none was new). */
  prepare(names: Iterable<string>): number;
  /** How many modes are cached. */
  readonly size: number;
}

/** A pool of members of the network of `key`. */
export function memberPool(key: NetworkKey): MemberPool {
  const modes = new Map<string, SecureMode>();
  const modeOf = (name: string): SecureMode => {
    let mode = modes.get(name);
    if (mode === undefined) {
      mode = secureMode({ identity: generateIdentity(), keys: [key] });
      modes.set(name, mode);
    }
    return mode;
  };
  return {
    modeOf,
    prepare(names) {
      const before = modes.size;
      const t0 = performance.now();
      for (const name of names) modeOf(name);
      const made = modes.size - before;
      return made === 0 ? Number.NaN : (performance.now() - t0) / made;
    },
    get size() {
      return modes.size;
    },
  };
}

/** The member names `joinMany` gives its first `count` clients (`bench-0` …). */
export function benchNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench-${i}`);
}
