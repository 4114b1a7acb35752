/**
 * The real PeerNode: discovery on a multicast port, the optional embedded host, and one member
 * session per joined channel. Imperative shell: the failover decisions live in channel-core's
 * member reducer, run by @ims/member-session.
 */
import { discover, interfaceAddress, udpPort, type Discovery, type Lobby } from '@ims/discovery';
import type { Logger } from '@ims/app-kit';
import { lobbyHosts, startMemberSession } from '@ims/member-session';
import { createMember, lostHostExpiryFor, type LobbyHost, type MemberTarget } from '@ims/channel-core';
import { dialingFrom, secureTcpTransport, tcpTransport, type Transport } from '@ims/transport';
import { asyncScheduler, combineLatest, EMPTY, filter, firstValueFrom, interval, map, mergeMap, of, share, startWith, Subject, takeUntil, timeout, type Observable } from 'rxjs';
import { NoticeTracker, type Notice } from './member-notices.js';
import { newDirectMessages, type DirectMessage } from './direct-message.js';
import { openChatLog, type ChatLog } from './chat-log.js';
import { formatEvent, formatTime, type Names } from './chat-event.js';
import { formatNotice } from './member-notices.js';
import type { ChatEvent } from './chat-event.js';
import { LazyChannel } from './channel-handle.js';
import { dedicatedServer, hostOf, serverNamed } from './join-target.js';
import type { PeerConfig } from './config.js';
import { startEmbeddedHost, type EmbeddedHost } from './embedded-host.js';
import { openInviteInbox, type InviteInbox } from './invite-inbox.js';
import type { ChannelHandle, LobbySnapshot, PeerNode } from './peer-node.js';

/** Options of {@link startPeerNode}. */
export interface StartPeerNodeOptions {
  readonly config: PeerConfig;
  readonly logger: Logger;
  /** Wall clock for event timestamps. @default Date.now */
  readonly clock?: () => number;
}

/** Opens the multicast port, starts announcing and (unless `--no-host`) the embedded host. */
export async function startPeerNode(options: StartPeerNodeOptions): Promise<PeerNode> {
  const { config, logger } = options;
  const clock = options.clock ?? Date.now;
  const port = await udpPort({
    port: config.discoveryPort,
    interface: config.interface,
    onError: (error) => logger.warn('discovery.socket_error', { error }),
  });
  const discovery = discover(port, {
    peerId: config.id,
    nick: config.nick,
    intervalMs: config.announceIntervalMs,
    ...(config.secure ? { secure: config.secure } : {}),
    log: (entry) => logger.debug('discovery', { ...entry }),
  });
  let host: EmbeddedHost | undefined;
  let inbox: InviteInbox | undefined;
  try {
    host = config.host ? await startEmbeddedHost({ config, discovery, logger }) : undefined;
    // After the host: a `--port` equal to the discovery port stays the host's, and the inbox goes without.
    inbox = await openInviteInbox({ config, discovery, logger, clock });
  } catch (err) {
    await host?.close();
    discovery.close();
    throw err;
  }
  // docs/protocol.md §3.1: our channel connections leave from the address our PeerPDUs come from,
  // so a server that tells clients apart by TCP source address (the Java one) sees that one.
  const transport = dialingFrom(config.secure ? secureTcpTransport(config.secure) : tcpTransport, interfaceAddress(config.interface));
  return new Node(config, logger, clock, discovery, host, transport, inbox);
}

/** Nicks remembered for peers discovery has forgotten (departed authors): at most this many. */
const MAX_NICKS = 10_000;

/** ms between two looks for private chats opened on our host. */
const DM_POLL_MS = 300;

/** ms a closing node keeps discovery open for its last announcement (the pacing gap is 100 ms). */
const FINAL_ANNOUNCE_MS = 150;

/** A joined channel: its handle and the host it is on now (for CLIENT_MEMBERSHIP). */
interface ChannelEntry {
  readonly handle: LazyChannel;
  readonly state: { host: string | undefined };
}

class Node implements PeerNode {
  readonly selfId: string;
  readonly lobby$: Observable<LobbySnapshot>;
  /** Discovery's hosting peers, one mapping shared by every joined channel. */
  private readonly hosts$: Observable<readonly LobbyHost[]>;
  /** Discovery's lobby with the delivered invitations. */
  private readonly merged$: Observable<Lobby>;
  private currentNick: string;
  private readonly startedAt: number;
  private readonly channels = new Map<string, ChannelEntry>();
  /** Channels left whose connection may still be sending its EXIT: `close()` waits for them. */
  private readonly leaving = new Set<LazyChannel>();
  /** Nicks heard, kept after their peer is gone: a departed author keeps a name (issue 14). Bounded. */
  private readonly nicks = new Map<string, string>();
  private readonly notices = new Subject<Notice>();
  readonly notices$ = this.notices.asObservable();
  private readonly tracker: NoticeTracker;
  readonly directMessages$: Observable<DirectMessage>;
  private readonly closing = new Subject<void>();
  private readonly chatLog: ChatLog;
  private readonly names: Names;
  private closed = false;

  constructor(
    private readonly config: PeerConfig,
    private readonly logger: Logger,
    private readonly clock: () => number,
    private readonly discovery: Discovery,
    private readonly host: EmbeddedHost | undefined,
    private readonly transport: Transport,
    private readonly inbox: InviteInbox,
  ) {
    this.selfId = config.id;
    this.currentNick = config.nick;
    this.chatLog = openChatLog(config.logDir, logger);
    this.names = { selfId: config.id, nickOf: (id) => this.nameOf(id) };
    this.startedAt = clock();
    // The lobby with the invitations delivered by TCP (docs/protocol.md §3.8) added.
    this.merged$ = combineLatest([discovery.lobby$, inbox.changed$.pipe(startWith(undefined))]).pipe(map(([l]) => inbox.withInvites(l)));
    this.lobby$ = this.merged$.pipe(map((l) => this.toSnapshot(l)));
    this.hosts$ = lobbyHosts(discovery, host?.own$);
    // The inbox of private chats opened on our host (direct-message.ts): its channels, a few times a second.
    const told = new Map<string, number>();
    this.directMessages$ = host
      ? interval(DM_POLL_MS).pipe(
          mergeMap(() => newDirectMessages(this.selfId, host.channels(), told, (c) => this.channels.has(c))),
          takeUntil(this.closing),
          share(),
        )
      : EMPTY;
    this.tracker = new NoticeTracker({
      watching: (c) => this.channels.get(c)?.state.host !== undefined,
      emit: (n) => {
        this.logNotice(n);
        this.notices.next(n);
      },
      clock,
      scheduler: asyncScheduler,
    });
    discovery.events$.subscribe((e) => {
      const heard = e.kind === 'appeared' ? (e.peer.nick ?? e.peer.name) : undefined;
      if (e.kind === 'appeared' && heard !== undefined) this.rememberNick(e.peer.id, heard);
      if (e.kind === 'nickChanged' && e.nick !== undefined) this.rememberNick(e.peerId, e.nick);
      this.tracker.handle(e);
    });
  }

  /** Remembers `nick` for `id`; past {@link MAX_NICKS} the oldest is forgotten. */
  rememberNick(id: string, nick: string): void {
    this.nicks.delete(id);
    this.nicks.set(id, nick);
    if (this.nicks.size > MAX_NICKS) this.nicks.delete(this.nicks.keys().next().value as string);
  }

  nick(): string {
    return this.currentNick;
  }

  setNick(nick: string): void {
    this.discovery.setNick(nick);
    this.currentNick = nick;
  }

  lobby(): LobbySnapshot {
    return this.toSnapshot(this.inbox.withInvites(this.discovery.snapshot()));
  }

  join(channel: string, server?: string): ChannelHandle {
    const existing = this.channels.get(channel);
    if (existing && !existing.handle.isEnded) return existing.handle;
    const state: { host: string | undefined } = { host: undefined };
    const handle: LazyChannel = new LazyChannel(
      channel,
      this.selfId,
      (id) => this.nameOf(id),
      this.clock,
      (e) => this.onEvent(channel, entry, e),
      () => this.membersAnnounced(channel, state.host),
      (id) => this.isPresent(id),
      (id, nick) => {
        if (this.discovery.peer(id)?.nick === undefined && !this.nicks.has(id)) this.rememberNick(id, nick);
      },
    );
    const entry: ChannelEntry = { handle, state };
    this.channels.set(channel, entry);
    void this.resolveTarget(channel, server).then((target) => {
      if (handle.isEnded) return;
      if (typeof target === 'string') {
        handle.fail('NO_HOST', target);
        return;
      }
      this.logger.info('member.join', { channel, host: target.peerId, address: target.address, port: target.port });
      const session = startMemberSession({
        selfId: this.selfId,
        channel,
        target,
        createMember: () =>
          createMember({ selfId: this.selfId, channel, lostHostExpiryMs: lostHostExpiryFor(this.config.announceIntervalMs), ...(this.host ? { selfEndpoint: this.host.endpoint } : {}) }),
        hosts$: this.hosts$,
        transport: this.transport,
        joinTimeoutMs: this.config.standbyWaitMs,
        historyQuietMs: this.config.historyQuietMs,
        ...(this.host ? { archive: this.host.archive } : {}),
        logger: this.logger,
      });
      handle.attach(session);
    });
    return handle;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.next();
    await Promise.all([...[...this.channels.values()].map((c) => c.handle.exit()), ...[...this.leaving].map((h) => h.drained())]);
    await this.host?.close();
    await this.inbox.close();
    // The announcements of our EXITs and of the host's stop may wait out discovery's pacing (at most
    // 10 a second, docs/protocol.md §3.1): let the last one leave, so others see a clean quit (issue 14).
    await new Promise((resolve) => setTimeout(resolve, FINAL_ANNOUNCE_MS));
    this.tracker.stop();
    this.notices.complete();
    this.discovery.close();
    await this.chatLog.close();
  }

  private selfTarget(): MemberTarget | undefined {
    return this.host ? { peerId: this.selfId, ...this.host.endpoint } : undefined;
  }

  /**
   * Where to JOIN (README "Where chat joins"): the named server, else the smallest-ID live host
   * announcing the channel (or inviting us to it), else a dedicated server (a new channel, issue
   * 14), else our own host. Waits for discovery first:
   * up to two intervals after start, so a fresh process hears the LAN (and the Java server sees
   * our PeerPDU before our connect); a named server may take up to `--join-timeout` to appear.
   */
  private async resolveTarget(channel: string, server: string | undefined): Promise<MemberTarget | string> {
    const self = this.selfTarget();
    const askedAt = this.clock();
    if (server !== undefined && server === this.selfId) return self ?? 'this peer runs with --no-host: it cannot host channels';
    // Hear the LAN for two intervals after start, even when the target shows up sooner: the lobby
    // must know the other hosts (the standby's endpoint) before a failover can use them.
    const settle = Math.max(0, this.startedAt + 2 * this.config.announceIntervalMs - this.clock());
    if (settle > 0) await new Promise((resolve) => setTimeout(resolve, settle));
    const pick = (l: Lobby): MemberTarget | undefined => (server === undefined ? hostOf(l, channel) : serverNamed(l, server));
    const waitMs = server === undefined ? 0 : Math.max(0, askedAt + this.config.joinTimeoutMs - this.clock());
    const found =
      pick(this.inbox.withInvites(this.discovery.snapshot())) ??
      (await firstValueFrom(
        this.merged$.pipe(
          map(pick),
          filter((t): t is MemberTarget => t !== undefined),
          timeout({ first: Math.max(1, waitMs), with: () => of(undefined) }),
        ),
        { defaultValue: undefined },
      ));
    if (found) return found;
    if (server !== undefined) return `no server ${server} in the lobby`;
    const dedicated = dedicatedServer(this.inbox.withInvites(this.discovery.snapshot()));
    if (dedicated) return dedicated;
    return self ?? `no host announces ${channel}, and this peer runs with --no-host`;
  }

  private logNotice(n: Notice): void {
    const line = formatNotice(n, (id) => (id === this.selfId ? 'you' : this.nameOf(id)), formatTime(n.ts));
    if (line === undefined) return;
    const channels = 'channel' in n ? [n.channel] : 'channels' in n ? n.channels : [...this.channels.keys()];
    for (const c of channels) this.chatLog.write(c, line);
  }

  private onEvent(channel: string, entry: ChannelEntry, e: ChatEvent): void {
    this.chatLog.write(channel, formatEvent(e, this.names));
    if (e.event === 'joined' || e.event === 'failover') entry.state.host = e.host;
    if (e.event === 'left') {
      entry.state.host = undefined;
      if (this.channels.get(channel) === entry) this.channels.delete(channel);
      // docs/protocol.md §2.7: its EXIT may still be on the way out; a process exiting now waits for it.
      this.leaving.add(entry.handle);
      void entry.handle.drained().then(() => this.leaving.delete(entry.handle));
    }
    if (e.event === 'joined' || e.event === 'failover' || e.event === 'left') this.announceMemberships();
  }

  /** docs/protocol.md §2 client duty: after JOIN and EXIT, an updated PeerPDU (discovery sends it at once). */
  private announceMemberships(): void {
    if (this.closed) return;
    const byServer = new Map<string, string[]>();
    for (const [name, c] of this.channels) {
      const host = c.state.host;
      if (host === undefined) continue;
      byServer.set(host, [...(byServer.get(host) ?? []), name]);
    }
    this.discovery.setMemberships([...byServer].map(([serverId, channels]) => ({ serverId, channels })));
  }

  /** Clients whose CLIENT_MEMBERSHIP lists `channel` on `host` (public channels only, docs/protocol.md §3). */
  private membersAnnounced(channel: string, host: string | undefined): string[] {
    if (host === undefined) return [];
    return this.discovery
      .snapshot()
      .clients.filter((c) => c.state !== 'disconnected' && c.memberships.some((m) => m.serverId === host && m.channels.includes(channel)))
      .map((c) => c.id);
  }

  hostStopped(id: string): boolean {
    const p = this.discovery.peer(id);
    return p !== undefined && p.server === undefined;
  }

  nameOf(id: string): string {
    if (id === this.selfId) return this.currentNick;
    const p = this.discovery.peer(id);
    // A dedicated server's announced name stands for it as a nick does for a client (docs/protocol.md §3.7).
    return p?.nick ?? p?.name ?? this.nicks.get(id) ?? id;
  }

  private isPresent(id: string): boolean {
    const p = this.discovery.peer(id);
    return p !== undefined && p.state !== 'disconnected';
  }

  private toSnapshot(l: Lobby): LobbySnapshot {
    return {
      selfId: this.selfId,
      peers: l.peers.map((p) => ({
        id: p.id,
        ...(p.nick !== undefined ? { nick: p.nick } : {}),
        ...(p.name !== undefined ? { name: p.name } : {}),
        address: p.address,
        state: p.state,
        ...(p.server !== undefined ? { serverPort: p.server.port } : {}),
        channels: p.channels,
      })),
      invitations: l.invitations.map((i) => ({ channel: i.channel, serverId: i.serverId })),
    };
  }
}

