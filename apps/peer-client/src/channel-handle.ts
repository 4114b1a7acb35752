/**
 * A ChannelHandle that exists before its member session: the target host may only be known once
 * discovery has heard enough (and the Java server wants our PeerPDU before our connect). Posts and
 * invites made meanwhile are queued; events are enriched with `channel` and `nick` here.
 */
import { isPrivateChannel } from '@ims/codec';
import { ReplaySubject, type Observable } from 'rxjs';
import type { ChatEvent } from './chat-event.js';
import type { ChannelHandle } from './peer-node.js';

/** The part of a runtime member session a handle drives (see @ims/member-session `MemberSession`). */
export interface SessionLike {
  readonly events$: Observable<SessionEvent>;
  post(text: string): void;
  invite(peerIds: readonly string[]): void;
  exit(): Promise<void>;
  /** Own posts not yet echoed (the member reducer's count). */
  pendingCount(): number;
}

/** A member-session event before enrichment (no channel, no nick). */
export type SessionEvent = DistributiveOmit<ChatEvent, 'channel' | 'nick'> & {
  /** A history post's author nick as the host sent it (docs/protocol.md §2.8). */
  readonly authorNick?: string;
};
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A handle whose session is attached later with {@link LazyChannel.attach}, or that fails first. */
export class LazyChannel implements ChannelHandle {
  readonly events$: Observable<ChatEvent>;
  // Replay: the front-end may subscribe a moment after join() and must not miss `joined`.
  private readonly events = new ReplaySubject<ChatEvent>(256);
  private session: SessionLike | undefined;
  private readonly queued: string[] = [];
  /** INVITE goes on the joined connection: invites made before the first `joined` wait for it. */
  private readonly queuedInvites: (readonly string[])[] = [];
  private joined = false;
  /** Authors of live posts (members of a private channel, whose memberships are never announced). */
  private readonly authors = new Set<string>();
  private standbyId: string | undefined;
  private hostId: string | undefined;
  private exiting: Promise<void> | undefined;
  private ended = false;

  constructor(
    readonly channel: string,
    private readonly selfId: string,
    private readonly nickOf: (id: string) => string,
    private readonly now: () => number,
    private readonly onEvent: (e: ChatEvent) => void = () => undefined,
    /** Members known from elsewhere (CLIENT_MEMBERSHIP in the lobby). */
    private readonly knownMembers: () => readonly string[] = () => [],
    /** Whether discovery still hears a peer (not `disconnected`, not forgotten). */
    private readonly isPresent: (id: string) => boolean = () => true,
    /** Told each nick a host sent with a history post (the node remembers it for the peer). */
    private readonly onNick: (id: string, nick: string) => void = () => undefined,
  ) {
    this.events$ = this.events.asObservable();
  }

  /** The peer ID hosting the channel now, once joined (follows failovers). */
  get host(): string | undefined {
    return this.hostId;
  }

  /** True once `left` was emitted. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Connects the handle to its session and flushes what was queued. */
  attach(session: SessionLike): void {
    if (this.ended) {
      void session.exit();
      return;
    }
    this.session = session;
    session.events$.subscribe({
      next: (e) => this.emit(e),
      complete: () => this.finish('exit'),
    });
    for (const text of this.queued.splice(0)) session.post(text);
    if (this.exiting) void session.exit();
  }

  /** Ends the handle without a session (e.g. no host could be found). */
  fail(code: string, message: string): void {
    this.emit({ event: 'error', ts: this.now(), code, message });
    this.finish('lost');
  }

  /**
   * The current members, best effort (issue 14: not every author ever seen): this peer, the
   * standby, and the clients whose CLIENT_MEMBERSHIP lists the channel. A private channel is never
   * announced (docs/protocol.md §3.5), so there the authors of live posts still heard stand in.
   */
  members(): readonly string[] {
    const out = new Set<string>([this.selfId, ...this.knownMembers()]);
    if (this.standbyId !== undefined && this.standbyId !== this.hostId && this.isPresent(this.standbyId)) out.add(this.standbyId);
    if (isPrivateChannel(this.channel)) for (const a of this.authors) if (this.isPresent(a)) out.add(a);
    return [...out];
  }

  post(text: string): void {
    if (this.ended) return;
    if (this.session) this.session.post(text);
    else this.queued.push(text);
  }

  pending(): number {
    if (this.ended) return 0;
    return this.queued.length + (this.session?.pendingCount() ?? 0);
  }

  invite(peerIds: readonly string[]): void {
    if (this.ended) return;
    if (this.session && this.joined) this.session.invite(peerIds);
    else this.queuedInvites.push(peerIds);
  }

  exit(): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.exiting ??= this.session ? this.session.exit() : Promise.resolve(this.finish('exit'));
    return this.exiting;
  }

  /** Resolves once the session has ended and its connection closed (its EXIT went out first); at once without a session. */
  drained(): Promise<void> {
    return this.session?.exit() ?? Promise.resolve();
  }

  private emit(e: SessionEvent): void {
    if (this.ended) return;
    const full = this.enrich(e);
    if (full.event === 'joined' || full.event === 'failover') this.hostId = full.host;
    if ((full.event === 'joined' || full.event === 'failover') && !this.joined) {
      this.joined = true;
      for (const ids of this.queuedInvites.splice(0)) this.session?.invite(ids);
    }
    if (full.event === 'say') this.authors.add(full.author);
    if (full.event === 'standby') this.standbyId = full.standby;
    this.onEvent(full);
    this.events.next(full);
    if (full.event === 'left') {
      this.ended = true;
      this.events.complete();
    }
  }

  private enrich(e: SessionEvent): ChatEvent {
    const { authorNick, ...plain } = e;
    if (plain.event === 'say' || plain.event === 'history') {
      // Discovery's nick first (the current one); a departed author's is the host's (issue 14).
      const known = this.nickOf(plain.author);
      if (authorNick !== undefined) this.onNick(plain.author, authorNick);
      return { ...plain, channel: this.channel, nick: known === plain.author && authorNick !== undefined ? authorNick : known };
    }
    return { ...plain, channel: this.channel } as ChatEvent;
  }

  private finish(reason: 'exit' | 'lost'): void {
    if (!this.ended) this.emit({ event: 'left', ts: this.now(), reason });
  }
}
