/** What a backend provides: where host processes run and how their network can be broken. */
import type { BackendName } from '../scenario/types.js';

/** A command line, possibly wrapped to run inside a namespace. */
export interface CommandLine {
  readonly cmd: string;
  readonly args: readonly string[];
}

/** The host name the wire recorder runs as (never a scenario host: names start with a letter). */
export const WIRE_HOST = '_wire';

/** One backend instance, for one run. */
export interface Backend {
  readonly name: BackendName;
  /** Prefix of everything this run creates (`imsns-<pid>-<n>`). */
  readonly runId: string;
  /** Prepares the network for these hosts and the wire recorder. */
  setup(hosts: readonly string[]): Promise<void>;
  /** Wraps `cmd args` so it runs on `host`'s network. */
  wrap(host: string, cmd: string, args: readonly string[]): CommandLine;
  /** `--interface` value for `host`'s processes. */
  interfaceOf(host: string): string;
  /** Address other hosts reach `host` at. */
  addressOf(host: string): string;
  /** Splits the network into groups that cannot reach each other. */
  partition(groups: readonly (readonly string[])[]): Promise<void>;
  /** Undoes every partition. */
  heal(): Promise<void>;
  /** Adds delay and loss to `hosts`' links. */
  netem(hosts: readonly string[], delayMs: number, lossPercent: number): Promise<void>;
  /** Removes everything the backend created. Safe to call twice. */
  cleanup(): Promise<void>;
}
