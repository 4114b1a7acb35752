/**
 * The recorded run: one ordered list of events from every host (their JSON lines) and from netsim
 * itself (its actions). Every check is a pure function of this log.
 */

/** Who wrote an event: a host process, or netsim acting on a host. */
export type EventSource = 'app' | 'netsim';

/** One event of the run. `t` is ms since the run started. */
export interface SimEvent {
  readonly t: number;
  readonly host: string;
  readonly source: EventSource;
  readonly event: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** netsim's own actions, as they appear in the log. */
export const FAULT_EVENTS = ['kill', 'freeze', 'stop'] as const;

/** What a client looks like at a point of the log. */
export interface ClientView {
  /** The process runs (started, not exited). */
  readonly alive: boolean;
  /** Peer ID of the host of its channel, when joined. */
  readonly host: string | undefined;
  /** Index in the log of its latest start, or -1. */
  readonly startIndex: number;
}

/** Index of the latest `start`/`restart` of `host` at or before `upTo`, or -1. */
export function latestStart(log: readonly SimEvent[], host: string, upTo = log.length - 1): number {
  for (let i = Math.min(upTo, log.length - 1); i >= 0; i--) {
    const e = log[i] as SimEvent;
    if (e.host === host && e.source === 'netsim' && (e.event === 'start' || e.event === 'restart')) return i;
  }
  return -1;
}

/** The state of client `name` after the first `upTo + 1` events. */
export function clientView(log: readonly SimEvent[], name: string, upTo = log.length - 1): ClientView {
  const startIndex = latestStart(log, name, upTo);
  if (startIndex < 0) return { alive: false, host: undefined, startIndex };
  let alive = true;
  let host: string | undefined;
  for (let i = startIndex + 1; i <= Math.min(upTo, log.length - 1); i++) {
    const e = log[i] as SimEvent;
    if (e.host !== name) continue;
    if (e.source === 'netsim' && e.event === 'exit') {
      alive = false;
      host = undefined;
    } else if (e.source === 'app' && (e.event === 'joined' || e.event === 'failover') && typeof e.data['host'] === 'string') {
      host = e.data['host'];
    } else if (e.source === 'app' && e.event === 'left') host = undefined;
  }
  return { alive, host, startIndex };
}

/** Whether `host`'s process runs at the end of the log. */
export function isAlive(log: readonly SimEvent[], host: string): boolean {
  const start = latestStart(log, host);
  if (start < 0) return false;
  return !log.slice(start + 1).some((e) => e.host === host && e.source === 'netsim' && e.event === 'exit');
}
