/**
 * A pure model of a LAN for property tests (not exported from the package): peers with real host
 * and member reducers, discovery as silence timers over announcements (docs/protocol.md §4),
 * connections as frame queues, virtual time, crashes, restarts with the same ID, EXIT, partitions.
 */
import type { ClientCommand, ServerCommand } from '@ims/codec';
import { historySay } from '../host/history-say.js';
import { createHost } from '../host/host.js';
import type { Host, HostEffect, Post } from '../types.js';
import { createMember } from './member.js';
import type { LobbyHost, Member, MemberEffect, MemberTarget } from './member-types.js';
import { endpoint, heardState, INTERVAL, viewsOf, type Heard } from './world-discovery.js';

export { endpoint, INTERVAL };


/** One peer: a member session of the channel, and an embedded host when it can host. */
export interface WorldPeer {
  readonly id: string;
  readonly canHost: boolean;
  up: boolean;
  side: number;
  host: Host | undefined;
  member: Member | undefined;
  /** What this peer's host stored (its history store survives a restart). */
  persisted: Post[];
  /** Public channels its host announces now. */
  announced: readonly string[];
  lastAnnounce: number;
  /** Discovery as this peer sees it: last PDU time and channels, per peer ID. */
  heard: Map<string, Heard>;
  lastLobby: string;
  lastPeers: string;
  conn: Conn | undefined;
  wakeAt: number | undefined;
  /**
   * The member session's texts shown and posted, and how it left: `lost` while a peer that can
   * host was up, reachable and known to its discovery, `lost-alone` when none was.
   */
  shown: string[];
  posted: string[];
  left: 'exit' | 'lost' | 'lost-alone' | undefined;
  restarts: number;
  /**
   * Restarted: its member session joins once it hears a host announcing the channel (a user
   * picking it from the lobby), or at this time its own host (or the first host): a takeover host
   * announces only once the dead host it yields to is disconnected (docs/protocol.md §5.8).
   */
  joinAt: number | undefined;
}

interface Conn {
  readonly id: string;
  readonly member: WorldPeer;
  readonly host: WorldPeer;
  down: ServerCommand[];
  up: ClientCommand[];
  closing: boolean;
}

/** The LAN: peers, clock and the runtime duties (announce, feed discovery, fire wake-ups). */
export class World {
  readonly peers: WorldPeer[];
  clock = 1_000;
  private nConn = 0;
  private nPost = 0;

  constructor(
    specs: readonly { id: string; canHost: boolean }[],
    readonly channel: string,
    readonly firstHost: string,
  ) {
    this.peers = specs.map((s) => this.boot({ id: s.id, canHost: s.canHost, up: true, side: 0, host: undefined, member: undefined, persisted: [], announced: [], lastAnnounce: -INTERVAL, heard: new Map(), lastLobby: '', lastPeers: '', conn: undefined, wakeAt: undefined, shown: [], posted: [], left: undefined, restarts: 0, joinAt: undefined }));
    this.tick(0);
    for (const p of this.peers) this.feed(p, { kind: 'join', target: endpoint(firstHost) });
  }

  peer(id: string): WorldPeer {
    const p = this.peers.find((x) => x.id === id);
    if (p === undefined) throw new Error(`no peer ${id}`);
    return p;
  }

  reachable(a: WorldPeer, b: WorldPeer): boolean {
    return a.up && b.up && a.side === b.side;
  }

  post(p: WorldPeer): void {
    if (!p.up || p.member === undefined) return;
    const text = `${p.id}:${this.nPost++}`;
    p.posted.push(text);
    this.feed(p, { kind: 'post', text });
  }

  /** Moves one frame member → host (`up`) or host → member (`down`), or reports a close. */
  deliver(p: WorldPeer, dir: 'up' | 'down'): boolean {
    const c = p.conn;
    if (c === undefined) return false;
    if (dir === 'up') {
      const cmd = c.up.shift();
      if (cmd === undefined || c.host.host === undefined || c.closing) return false;
      if (cmd.cmd === 'JOIN') this.archiveBeforeTakeover(c.host);
      this.hostFx(c.host, c.host.host.handle({ kind: 'frame', conn: c.id, command: cmd }));
      return true;
    }
    const cmd = c.down.shift();
    if (cmd !== undefined) this.feed(p, { kind: 'frame', command: cmd, at: this.clock });
    else if (c.closing) this.cut(c, true, false);
    else return false;
    return true;
  }

  /** Everything in flight, round-robin, until nothing moves. */
  drain(): void {
    for (let round = 0; round < 5_000; round++) {
      let moved = false;
      for (const p of this.peers) moved = this.deliver(p, 'up') || this.deliver(p, 'down') || moved;
      if (!moved) return;
    }
    throw new Error('the world did not drain');
  }

  /** Time passes: hosts announce, discovery ages, lobbies and peer tables are fed, wake-ups fire. */
  tick(ms: number): void {
    this.clock += ms;
    for (const p of this.peers) if (p.up && p.canHost && this.clock - p.lastAnnounce >= INTERVAL) this.announce(p);
    for (const p of this.peers) if (p.up && !p.canHost && this.clock - p.lastAnnounce >= INTERVAL) this.announce(p);
    for (const p of this.peers) this.updateViews(p);
    for (const p of this.peers) if (p.up && p.joinAt !== undefined && ms > 0) this.rejoin(p);
    for (const p of this.peers) {
      if (p.up && p.wakeAt !== undefined && p.wakeAt <= this.clock) {
        p.wakeAt = undefined;
        this.feed(p, { kind: 'timer', at: this.clock });
      }
    }
  }

  /**
   * The process dies: sockets reset for the peers that can still reach it (those in `late` see it
   * at their next delivery); nothing else is told.
   */
  crash(p: WorldPeer, late: ReadonlySet<string> = new Set()): void {
    if (!p.up) return;
    const conns = this.conns().filter((c) => c.host === p || c.member === p);
    p.up = false;
    p.host = undefined;
    p.member = undefined;
    p.wakeAt = undefined;
    p.announced = [];
    for (const c of conns) {
      // The other end of a member connection of the dead peer sees it close.
      if (c.member === p) this.cut(c, false, true);
      else if (late.has(c.member.id)) {
        // This member learns of the reset only when its inbox turns to it (`deliver` down).
        c.down = [];
        c.up = [];
        c.closing = true;
      } else this.cut(c, c.member.side === p.side, false);
    }
  }

  /** Starts again with the same ID and history store; its member session rejoins the first host. */
  restart(p: WorldPeer): void {
    if (p.up) return;
    p.up = true;
    p.restarts++;
    p.heard = new Map();
    p.lastLobby = '';
    p.lastPeers = '';
    p.left = undefined;
    // A new member session: what the old one showed and posted is the old session's.
    p.shown = [];
    p.posted = [];
    this.boot(p);
    this.announce(p);
    p.joinAt = this.clock + 5 * INTERVAL;
  }

  /** Where a (re)started peer joins: the smallest host it hears announcing the channel, else its own host, else the first host. */
  private rejoin(p: WorldPeer): void {
    const announcing = this.peers.filter((h) => h !== p && h.up && this.state(p, h.id) === 'alive' && p.heard.get(h.id)?.channels.includes(this.channel) === true);
    if (announcing.length === 0 && this.clock < (p.joinAt ?? 0)) return;
    p.joinAt = undefined;
    const target = announcing[0]?.id ?? (p.canHost ? p.id : this.firstHost);
    this.feed(p, { kind: 'join', target: endpoint(target) });
  }

  exit(p: WorldPeer): void {
    if (p.up) this.feed(p, { kind: 'exit' });
  }

  /** Peers on other sides cannot reach each other: connections across are reset on both ends. */
  partition(sides: ReadonlyMap<string, number>): void {
    for (const p of this.peers) p.side = sides.get(p.id) ?? 0;
    for (const c of this.conns()) if (c.member.side !== c.host.side) this.cut(c, true, true);
  }

  private conns(): Conn[] {
    return this.peers.flatMap((p) => (p.conn === undefined ? [] : [p.conn]));
  }

  private boot(p: WorldPeer): WorldPeer {
    p.member = createMember({ selfId: p.id, channel: this.channel, ...(p.canHost ? { selfEndpoint: { address: endpoint(p.id).address, port: endpoint(p.id).port } } : {}) });
    p.host = p.canHost ? createHost({ hostId: p.id }, () => this.clock) : undefined;
    // The store survives: a restarted host serves its history again (docs/protocol.md §5.6).
    if (p.host !== undefined && p.persisted.length > 0) p.host.handle({ kind: 'archive', channel: this.channel, posts: p.persisted });
    return p;
  }

  /**
   * docs/protocol.md §5.6: a JOIN that creates the channel starts it with what this peer holds, its
   * store and what its own member session showed (the runtimes feed both; here, the union by time).
   */
  private archiveBeforeTakeover(h: WorldPeer): void {
    const host = h.host;
    if (host === undefined || host.snapshot().channels.some((c) => c.name === this.channel)) return;
    const byKey = new Map<string, Post>();
    for (const q of [...h.persisted, ...(h.member?.seenPosts() ?? [])]) byKey.set(`${q.authorId}\0${q.text}`, byKey.get(`${q.authorId}\0${q.text}`) ?? q);
    const posts = [...byKey.values()].sort((a, b) => a.at - b.at);
    if (posts.length > 0) host.handle({ kind: 'archive', channel: this.channel, posts });
  }

  private announce(p: WorldPeer): void {
    p.lastAnnounce = this.clock;
    for (const o of this.peers) if (o !== p && this.reachable(o, p)) o.heard.set(p.id, { at: this.clock, channels: p.announced });
  }

  private state(o: WorldPeer, id: string): LobbyHost['state'] | undefined {
    return heardState(o.heard.get(id), this.clock);
  }

  private updateViews(o: WorldPeer): void {
    if (!o.up) return;
    const { lobby, table } = viewsOf(o, this.peers, this.clock);
    const lobbyKey = JSON.stringify(lobby);
    if (lobbyKey !== o.lastLobby) {
      o.lastLobby = lobbyKey;
      this.feed(o, { kind: 'lobby', hosts: lobby, at: this.clock });
    }
    const peersKey = JSON.stringify(table);
    if (o.host !== undefined && peersKey !== o.lastPeers) {
      o.lastPeers = peersKey;
      this.hostFx(o, o.host.handle({ kind: 'peers', peers: table }));
    }
  }

  /** Whether a peer that can host is up, reachable, and still known to `p`'s discovery (or `p` itself can host). */
  private couldHost(p: WorldPeer): boolean {
    return p.canHost || this.peers.some((h) => h.canHost && h !== p && this.reachable(p, h) && this.state(p, h.id) !== undefined);
  }

  /** Ends a connection; `toMember`/`toHost` say which ends learn of it. */
  private cut(c: Conn, toMember: boolean, toHost: boolean): void {
    if (c.member.conn === c) c.member.conn = undefined;
    if (c.host.host !== undefined && (toHost || c.closing)) this.hostFx(c.host, c.host.host.handle({ kind: 'closed', conn: c.id }));
    if (toMember && c.member.up) this.feed(c.member, { kind: 'closed' });
  }

  feed(p: WorldPeer, input: Parameters<Member['handle']>[0]): void {
    const m = p.member;
    if (m === undefined) return;
    for (const e of m.handle(input)) this.memberFx(p, e);
  }

  private memberFx(p: WorldPeer, e: MemberEffect): void {
    if (e.kind === 'event') {
      const ev = e.event;
      if (ev.event === 'history' || ev.event === 'say') p.shown.push(ev.text);
      if (ev.event === 'left') p.left = ev.reason === 'exit' ? 'exit' : this.couldHost(p) ? 'lost' : 'lost-alone';
    } else if (e.kind === 'send') p.conn?.up.push(e.command);
    else if (e.kind === 'schedule') p.wakeAt = this.clock + e.afterMs;
    else if (e.kind === 'disconnect') {
      const c = p.conn;
      if (c !== undefined) this.cut(c, false, true);
    } else this.dial(p, e.target);
  }

  private dial(p: WorldPeer, target: MemberTarget): void {
    const old = p.conn;
    if (old !== undefined) this.cut(old, false, true);
    const h = this.peers.find((x) => x.id === target.peerId);
    if (h === undefined || h.host === undefined || !this.reachable(p, h)) {
      // Refused when the host is down on our side of the network; a timeout across a partition.
      this.feed(p, { kind: 'connect-failed', refused: h === undefined || (!h.up && h.side === p.side) });
      return;
    }
    const c: Conn = { id: `k${this.nConn++}`, member: p, host: h, down: [], up: [], closing: false };
    p.conn = c;
    this.hostFx(h, h.host.handle({ kind: 'opened', conn: c.id, remote: { address: endpoint(p.id).address, port: this.nConn } }));
    this.feed(p, { kind: 'connected' });
  }

  private hostFx(h: WorldPeer, fx: readonly HostEffect[]): void {
    const byId = new Map(this.conns().filter((c) => c.host === h).map((c) => [c.id, c]));
    for (const e of fx) {
      if (e.kind === 'send') byId.get(e.conn)?.down.push(e.command);
      else if (e.kind === 'replay') byId.get(e.conn)?.down.push(...e.posts.map(historySay));
      else if (e.kind === 'broadcast') for (const id of e.conns) byId.get(id)?.down.push(e.command);
      else if (e.kind === 'close') {
        const c = byId.get(e.conn);
        if (c !== undefined) c.closing = true;
      } else if (e.kind === 'channels') {
        h.announced = e.public;
        this.announce(h);
      } else if (e.kind === 'persist') h.persisted.push(e.post);
    }
  }
}
