/** Builds recorded logs for the checkers' specs. */
import type { EventSource, SimEvent } from './log.js';

/** A log builder: `b.app('alice', 'say', {...})`, time advancing by one ms per event. */
export function logBuilder() {
  const events: SimEvent[] = [];
  const push = (host: string, source: EventSource, event: string, data: Record<string, unknown> = {}) => {
    events.push({ t: events.length, host, source, event, data });
    return api;
  };
  const api = {
    events,
    app: (host: string, event: string, data: Record<string, unknown> = {}) => push(host, 'app', event, data),
    sim: (host: string, event: string, data: Record<string, unknown> = {}) => push(host, 'netsim', event, data),
    start: (...hosts: string[]) => {
      for (const h of hosts) push(h, 'netsim', 'start');
      return api;
    },
    joined: (client: string, host: string) => push(client, 'app', 'joined', { host }),
    post: (author: string, text: string) => push(author, 'netsim', 'post', { text }),
    say: (client: string, author: string, text: string, kind: 'say' | 'history' = 'say') => push(client, 'app', kind, { author, nick: author, text }),
    /** Fan-out of a post to `members`, in order. */
    deliver: (author: string, text: string, members: readonly string[]) => {
      for (const m of members) push(m, 'app', 'say', { author, nick: author, text });
      return api;
    },
  };
  return api;
}
