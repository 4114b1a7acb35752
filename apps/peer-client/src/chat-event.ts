/**
 * The JSON-lines contract of `chat --json` (see README "JSON contract"): one object per line,
 * discriminated on `event`. netsim and scripts depend on it, so fields are only ever added.
 */

import { actionOf } from './chat-command.js';

/** Fields every event line carries. */
interface EventBase {
  /** Milliseconds since the Unix epoch when this peer saw the event. */
  readonly ts: number;
  /** The channel the event belongs to (absent only for process-wide errors). */
  readonly channel?: string;
}

/** We joined `channel`, hosted by peer `host`. */
export interface JoinedEvent extends EventBase {
  readonly event: 'joined';
  readonly host: string;
}
/** A live post (`say`) or one replayed from the host's history after a join (`history`). */
export interface PostEvent extends EventBase {
  readonly event: 'say' | 'history';
  /** Peer ID of the author, as the host sent it. */
  readonly author: string;
  /** The author's nickname as discovery knows it (or knew it), else as the host sent it with a history post, else the author ID. */
  readonly nick: string;
  readonly text: string;
  /** `history` from an ims host: when the host accepted the post, ms since the Unix epoch (docs/protocol.md §2.8). */
  readonly postedAt?: number;
}
/** The host named a new standby; `standby === host` means there is none. */
export interface StandbyEvent extends EventBase {
  readonly event: 'standby';
  readonly standby: string;
  readonly host: string;
}
/** The channel moved to a new host (docs/protocol.md §5); every member reports it, the new host too. */
export interface FailoverEvent extends EventBase {
  readonly event: 'failover';
  /** The new host's peer ID. */
  readonly host: string;
  /** The lost host's peer ID. */
  readonly from: string;
  /** `closed` = fast path (connection closed, reconnect refused), `silent` = three intervals. */
  readonly reason: string;
}
/** Something went wrong; `code` is stable, `message` is for humans. */
export interface ErrorEvent extends EventBase {
  readonly event: 'error';
  readonly code: string;
  readonly message: string;
}
/** We are no longer in the channel: `exit` (we left) or `lost` (no host could be reached). */
export interface LeftEvent extends EventBase {
  readonly event: 'left';
  readonly reason: 'exit' | 'lost';
}

/** One line of `chat --json` output. */
export type ChatEvent = JoinedEvent | PostEvent | StandbyEvent | FailoverEvent | ErrorEvent | LeftEvent;

/** Serialises one event as a single JSON line (no embedded newlines: JSON escapes them). */
export function toJsonLine(event: ChatEvent): string {
  return JSON.stringify(event);
}

/** How a front-end names peers in human lines: `you` for this peer, else a nick (issue 14). */
export interface Names {
  /** This peer's ID: it is shown as "you". */
  readonly selfId: string;
  /** The nick of a peer (discovery's, or one remembered), else its ID. */
  readonly nickOf: (id: string) => string;
}

/** `you` for this peer, else its nick (or ID when it has none). */
export function displayName(names: Names, id: string): string {
  return id === names.selfId ? 'you' : names.nickOf(id);
}

/** Renders an event for a person: `[HH:MM:SS] #room <nick> text`, or a notice line. */
export function formatEvent(event: ChatEvent, names: Names | ((id: string) => string) = (id) => id): string {
  const n: Names = typeof names === 'function' ? { selfId: '', nickOf: names } : names;
  const name = (id: string): string => displayName(n, id);
  const time = formatTime(event.ts);
  const where = event.channel ?? '*';
  switch (event.event) {
    case 'say': {
      const action = actionOf(event.text);
      return action === undefined ? `[${time}] ${where} <${event.nick}> ${event.text}` : `[${time}] ${where} * ${event.nick} ${action}`;
    }
    case 'history':
      // The original post time (issue 14), with the date when it was not today.
    {
      const when = event.postedAt === undefined ? time : formatPostTime(event.postedAt, event.ts);
      const action = actionOf(event.text);
      return `[${when}] ${where} (history) ${action === undefined ? `<${event.nick}> ${event.text}` : `* ${event.nick} ${action}`}`;
    }
    case 'joined':
      return event.host === n.selfId ? `[${time}] -- joined ${where}, hosted by you` : `[${time}] -- joined ${where} on ${name(event.host)}`;
    case 'standby':
      return event.standby === event.host
        ? `[${time}] -- ${where}: no standby`
        : `[${time}] -- ${where}: standby is ${name(event.standby)}`;
    case 'failover':
      return formatFailover(event, n, false);
    case 'error':
      return `[${time}] !! ${event.channel ? `${event.channel}: ` : ''}${event.message}`;
    case 'left':
      return event.reason === 'lost'
        ? `[${time}] !! ${where} lost: no host reachable`
        : `[${time}] -- left ${where}`;
  }
}

/**
 * A failover line; `clean` when the lost host had announced its stop (docs/protocol.md §3.7: a
 * /quit or a server stopped on purpose), which is then not called a loss (issue 14).
 */
export function formatFailover(event: FailoverEvent, names: Names, clean: boolean): string {
  const where = event.channel ?? '*';
  const lost = clean ? `stopped (a clean stop)` : `lost (${event.reason})`;
  return `[${formatTime(event.ts)}] -- ${where}: host ${displayName(names, event.from)} ${lost}; now hosted by ${displayName(names, event.host)}`;
}

/** `HH:MM:SS` of a post time, prefixed `YYYY-MM-DD ` when it was not on the day of `now`. */
export function formatPostTime(at: number, now: number): string {
  const d = new Date(at);
  const day = (x: Date): string => [x.getFullYear(), x.getMonth() + 1, x.getDate()].map((n, i) => String(n).padStart(i === 0 ? 4 : 2, '0')).join('-');
  return day(d) === day(new Date(now)) ? formatTime(at) : `${day(d)} ${formatTime(at)}`;
}

/** `HH:MM:SS` of a wall-clock time, local time zone. */
export function formatTime(ts: number): string {
  const d = new Date(ts);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
