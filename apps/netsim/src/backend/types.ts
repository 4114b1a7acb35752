/** What a backend provides: where host processes run and how their network can be broken. */
import type { LinkFault } from '../faults/link-model.js';
import type { BackendName } from '../scenario/types.js';

/** A command line, possibly wrapped to run inside a namespace. */
export interface CommandLine {
  readonly cmd: string;
  readonly args: readonly string[];
}

/** The host name the wire recorder runs as (never a scenario host: names start with a letter). */
export const WIRE_HOST = '_wire';

/** The frames a capture holds, by the host that sent them (each host's frames in order, concatenated). */
export interface CapturedWire {
  readonly frames: number;
  readonly bytes: number;
  readonly from: ReadonlyMap<string, Buffer>;
}

/** One backend instance, for one run. */
export interface Backend {
  readonly name: BackendName;
  /** How hosts are linked and network faults made: `loopback` (local), `bridge`, `netem`, `switch`. */
  readonly network: string;
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
  /** Splits the network into groups that cannot reach each other, all links in one step. */
  partition(groups: readonly (readonly string[])[]): Promise<void>;
  /** Cuts one direction: what `from` sends no longer reaches `to` (`to` still reaches `from`). */
  cut(from: readonly string[], to: readonly string[]): Promise<void>;
  /** Undoes every partition and cut. */
  heal(): Promise<void>;
  /** Sets the impairments of what `hosts` send (replacing earlier ones; `{}` clears them). */
  impair(hosts: readonly string[], fault: LinkFault): Promise<void>;
  /** What the userspace switch captured so far (every frame, by sending host), when the run asked for a capture. */
  capture?(): CapturedWire | undefined;
  /** Frames the userspace switch delivered, cut, lost and duplicated (after cleanup), if it ran. */
  frameCounts(): Record<string, number> | undefined;
  /** Removes everything the backend created. Safe to call twice. */
  cleanup(): Promise<void>;
}
