/**
 * An in-memory {@link PeerNode} for the front-end unit tests: records what the front-end asks and
 * lets the test push channel events and lobby snapshots. Not exported from the app.
 */
import { BehaviorSubject, ReplaySubject, Subject } from 'rxjs';
import type { Notice } from './member-notices.js';
import type { DirectMessage } from './direct-message.js';
import type { ChatEvent } from './chat-event.js';
import type { ChannelHandle, LobbySnapshot, PeerNode } from './peer-node.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as a test writes it: no `ts`, no `channel`. */
export type FakeEvent = DistributiveOmit<ChatEvent, 'ts' | 'channel'>;

/**
 * A channel handle whose events the test pushes with `emit`. Like the member reducer, it counts a
 * post as pending until an own `say`/`history` with its text is emitted, and none after `left`.
 */
export interface FakeHandle extends ChannelHandle {
  readonly server: string | undefined;
  readonly posts: string[];
  readonly invites: string[][];
  exited: boolean;
  emit(e: FakeEvent): void;
}

/** A fake peer node plus the handles it created, by channel. */
export interface FakeNode extends PeerNode {
  readonly handles: Map<string, FakeHandle>;
  setLobby(lobby: Omit<LobbySnapshot, 'selfId'>): void;
  /** Emits on `directMessages$`. */
  directMessage(d: DirectMessage): void;
  /** Emits a notice on `notices$`. */
  notice(n: Notice): void;
  /** Peers `hostStopped` answers true for. */
  readonly stopped: Set<string>;
  closed: boolean;
}

/** Creates a fake node with ID `self`. */
export function fakeNode(self = 'me-id', startNick = 'me'): FakeNode {
  let currentNick = startNick;
  const lobby = new BehaviorSubject<LobbySnapshot>({ selfId: self, peers: [], invitations: [] });
  const handles = new Map<string, FakeHandle>();
  const notices = new Subject<Notice>();
  const stopped = new Set<string>();
  const dms = new Subject<DirectMessage>();
  const node: FakeNode = {
    directMessages$: dms.asObservable(),
    directMessage: (d) => dms.next(d),
    notices$: notices.asObservable(),
    notice: (n) => notices.next(n),
    stopped,
    hostStopped: (id) => stopped.has(id),
    selfId: self,
    handles,
    closed: false,
    nick: () => currentNick,
    setNick: (n) => (currentNick = n),
    nameOf: (id) => (id === self ? currentNick : (lobby.value.peers.find((p) => p.id === id)?.nick ?? id)),
    lobby$: lobby.asObservable(),
    lobby: () => lobby.value,
    setLobby: (l) => lobby.next({ selfId: self, ...l }),
    join(channel, server) {
      const events = new ReplaySubject<ChatEvent>();
      let unechoed: string[] = [];
      const push = (e: ChatEvent): void => {
        if ((e.event === 'say' || e.event === 'history') && e.author === self && unechoed.includes(e.text)) unechoed.splice(unechoed.indexOf(e.text), 1);
        if (e.event === 'left') unechoed = [];
        events.next(e);
        if (e.event === 'left') events.complete();
      };
      const handle: FakeHandle = {
        channel,
        server,
        host: server ?? 'me-id',
        posts: [],
        invites: [],
        exited: false,
        events$: events.asObservable(),
        members: () => ['me-id', 'b-id'],
        post: (t) => {
          handle.posts.push(t);
          unechoed.push(t);
        },
        pending: () => unechoed.length,
        invite: (ids) => handle.invites.push([...ids]),
        exit: () => {
          handle.exited = true;
          push({ event: 'left', reason: 'exit', ts: 0, channel });
          return Promise.resolve();
        },
        emit: (e) => push({ ts: 0, channel, ...e } as ChatEvent),
      };
      handles.set(channel, handle);
      return handle;
    },
    close: () => {
      node.closed = true;
      return Promise.resolve();
    },
  };
  return node;
}
