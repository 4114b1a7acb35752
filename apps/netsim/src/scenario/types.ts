/**
 * The scenario model: hosts, a timeline of steps, and final expectations. Durations in steps and
 * expectations are counted in announce intervals, so one scenario fits any interval.
 */

import type { FaultStep } from '../faults/fault-steps.js';

/** Which backend runs a scenario. */
export type BackendName = 'local' | 'netns';

/** A channel-server process. */
export interface ServerHost {
  readonly kind: 'server';
  readonly name: string;
  /** `--standby-for`: `all` or a list of server host names. */
  readonly standbyFor?: 'all' | readonly string[];
  /** Give the server a data directory that survives restarts (history persistence). */
  readonly dataDir: boolean;
  /** Secure mode for this host, when it differs from the scenario's `secure` (a mixed LAN). */
  readonly secure?: boolean;
  /** Extra arguments appended to the command line. */
  readonly args: readonly string[];
}

/** A peer-client process in `chat` mode. */
export interface ClientHost {
  readonly kind: 'client';
  readonly name: string;
  readonly channel: string;
  /** Host name of the server to join on (`--server`). */
  readonly server?: string;
  /** @default the host name */
  readonly nick: string;
  /** `--no-host`: the client never hosts, so it is never a standby. */
  readonly noHost: boolean;
  /** Secure mode for this host, when it differs from the scenario's `secure` (a mixed LAN). */
  readonly secure?: boolean;
  readonly args: readonly string[];
}

/**
 * What the hostile peer does: `garbage` floods malformed PDUs and frames; the others attack a
 * secure network as a keyless outsider (each logs whether it worked, see hostile/attacks.ts).
 */
export type HostileAttack = 'garbage' | 'impersonate' | 'forgeServer' | 'standbyHijack';
/** Every hostile attack, in the order the docs list them. */
export const HOSTILE_ATTACKS: readonly HostileAttack[] = ['garbage', 'impersonate', 'forgeServer', 'standbyHijack'];

/** netsim's built-in hostile peer: floods malformed frames and PDUs. */
export interface HostileHost {
  readonly kind: 'hostile';
  readonly name: string;
  /** Server host names whose TCP port gets malformed frames. */
  readonly targets: readonly string[];
  /** Garbage messages per second. @default 200 */
  readonly rate: number;
  /** @default ['garbage'] */
  readonly attacks: readonly HostileAttack[];
  /** The client whose peer ID and channel `impersonate`, `forgeServer` and `standbyHijack` go after. */
  readonly victim?: string;
  /** `wrong`: forged PDUs also go out sealed under a network key of another network. @default 'none' */
  readonly sealKey: 'none' | 'wrong';
}

/** Any host of a scenario. */
export type HostSpec = ServerHost | ClientHost | HostileHost;

/**
 * Something a `wait` step waits for, or an `expect` entry checks at the end. Client lists of
 * `joined`, `failover` and `converged` may hold the `survivors` selector, and their `host` may
 * be `anyClient` (see selectors.ts); both are resolved as the condition is evaluated.
 */
export type Condition =
  | { readonly kind: 'listening'; readonly hosts: readonly string[] }
  | { readonly kind: 'joined'; readonly hosts: readonly string[]; readonly host?: string }
  | { readonly kind: 'failover'; readonly hosts: readonly string[]; readonly host?: string }
  /** `host`: the one host must be this one (or `anyClient`, see selectors.ts). */
  | { readonly kind: 'converged'; readonly hosts: readonly string[]; readonly host?: string }
  | { readonly kind: 'delivered' }
  | { readonly kind: 'exited'; readonly hosts: readonly string[] }
  | { readonly kind: 'event'; readonly host: string; readonly event: string; readonly fields: Readonly<Record<string, string | number | boolean>> };

/** Final checks on the recorded run. */
export type Expectation =
  | { readonly kind: 'condition'; readonly condition: Condition; readonly line: number }
  | { readonly kind: 'exactlyOnce'; readonly line: number }
  /** Per author: every post the author saw echoed reached every surviving reader exactly once. */
  | { readonly kind: 'noAckedPostLost'; readonly line: number }
  | { readonly kind: 'history'; readonly hosts: readonly string[]; readonly line: number }
  | { readonly kind: 'noPrivateNames'; readonly line: number }
  | { readonly kind: 'failoverWithin'; readonly intervals: number; readonly line: number }
  | { readonly kind: 'failoverNotBefore'; readonly intervals: number; readonly line: number }
  /** In the run's last `intervals`, exactly `by` announced `channel` (docs/protocol.md §5: one host after a heal). */
  | { readonly kind: 'announcedBy'; readonly channel: string; readonly by: readonly string[]; readonly intervals: number; readonly line: number }
  /** In the run's last `intervals`, one peer announced `channel`, and every present member of it is joined there. */
  | { readonly kind: 'oneHost'; readonly channel: string; readonly intervals: number; readonly line: number }
  /** No client reported a failover, nor joined a second host, during the run. */
  | { readonly kind: 'noFailover'; readonly line: number }
  /** At no moment did two peers announce one of `channels` (their claims overlap on the wire). */
  | { readonly kind: 'neverSplit'; readonly channels: readonly string[]; readonly line: number }
  /** No known plaintext (posts, channel names, nicks) in the capture of every frame on the wire (netns, userspace switch). */
  | { readonly kind: 'noPlaintext'; readonly line: number }
  /** Each hostile host's attacks were tried, none worked, and no member chose, followed or read a hostile peer. */
  | { readonly kind: 'attacksFailed'; readonly hosts: readonly string[]; readonly line: number }
  /** None of these clients ever joined a channel (a peer the policy refuses). */
  | { readonly kind: 'neverJoined'; readonly hosts: readonly string[]; readonly line: number };

/**
 * A step acting on host processes: named ones, or whoever hosts (`hostOf`) or stands by for
 * (`standbyOf`) a client's channel at that moment.
 */
export interface HostStep {
  readonly kind: 'start' | 'kill' | 'freeze' | 'thaw' | 'stop' | 'restart' | 'leave';
  readonly hosts: readonly string[];
  /** Resolved at run time to the current host of this client's channel (or of this channel). */
  readonly hostOf?: string;
  /** Resolved at run time to the standby the host last named to this client (or to a member of this channel). */
  readonly standbyOf?: string;
}

/**
 * One timeline step. A `say` with `rate` (posts per second per author) and a `hog` run in the
 * background while the timeline goes on. `line` is its line in the scenario file, for messages.
 */
export type Step = { readonly line: number } & (
  | HostStep
  | { readonly kind: 'say'; readonly posts: readonly { readonly from: string; readonly text: string }[]; readonly rate?: number }
  /** `procs` busy-loop processes for `intervals`; @default procs: the machine's cores. */
  | { readonly kind: 'hog'; readonly procs?: number; readonly intervals: number }
  | { readonly kind: 'wait'; readonly condition: Condition; readonly within: number }
  | { readonly kind: 'pause'; readonly intervals: number }
  | { readonly kind: 'partition'; readonly groups: readonly (readonly string[])[] }
  | { readonly kind: 'heal' }
  /** A `peer-client lobby --json` snapshot taken beside host `at`, in its mode: `sees` are listed, `lacks` are not. */
  | { readonly kind: 'lobby'; readonly at: string; readonly sees: readonly string[]; readonly lacks: readonly string[] }
  | FaultStep
);

/** A parsed, validated scenario. */
export interface Scenario {
  readonly file: string;
  readonly name: string;
  readonly description: string;
  /** Announce interval passed to every process, in ms. @default 150 */
  readonly announceIntervalMs: number;
  /** Hard cap on the whole run, in ms. @default 60000 */
  readonly timeoutMs: number;
  /** How long each process may take to be ready (`startupTimeout`, s). @default 40 intervals, at least 20 s */
  readonly startupTimeoutMs?: number;
  /** Backends the scenario can run on. @default ['local', 'netns'] */
  readonly backends: readonly BackendName[];
  /** When set, the scenario is reported as pending with this reason and not run. */
  readonly pending?: string;
  /**
   * Secure mode (docs/security.md): netsim writes one network key file and an identity file per
   * host in the run dir and starts every server and client with them; peer IDs are then derived
   * from the identities and mapped back to host names in the log and on the wire. @default false
   */
  readonly secure: boolean;
  /** Secure mode's policy lists (`--allow-peers-file`, `--revoked-peers-file`), as host names; netsim writes the derived IDs. */
  readonly allow?: readonly string[];
  readonly revoked?: readonly string[];
  readonly hosts: ReadonlyMap<string, HostSpec>;
  readonly steps: readonly Step[];
  readonly expect: readonly Expectation[];
}

/** Default `within` of a wait step, in intervals. */
export const DEFAULT_WAIT_INTERVALS = 20;
/** Default announce interval of a scenario, in ms. */
export const DEFAULT_ANNOUNCE_INTERVAL_MS = 150;
/** Default cap on one scenario run, in ms. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Default garbage rate of a hostile host, per second. */
export const DEFAULT_HOSTILE_RATE = 200;
