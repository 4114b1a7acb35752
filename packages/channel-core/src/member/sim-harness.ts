/**
 * A pure in-memory network of host and member reducers, for property tests (not exported from the
 * package). Frames wait in per-member queues, so tests choose how deliveries interleave.
 */
import type { ClientCommand, ServerCommand } from '@ims/codec';
import { historySay } from '../host/history-say.js';
import { createHost } from '../host/host.js';
import type { Host, HostEffect, PeerInfo } from '../types.js';
import { createMember } from './member.js';
import type { LobbyHost, Member, MemberEffect, MemberInput, MemberTarget } from './member-types.js';

/** One member and its connection. */
export interface SimMember {
  readonly id: string;
  readonly m: Member;
  host: string | undefined;
  conn: string | undefined;
  inbox: ServerCommand[];
  outbox: ClientCommand[];
  closing: boolean;
  /** Texts shown (`history` and `say` events), in order. */
  readonly shown: string[];
}

/** One random action: a member posts, sends one frame, or receives one frame. */
export interface SimStep {
  readonly t: 'post' | 'up' | 'down';
  readonly who: number;
}

/** The endpoint of a simulated host. */
export function targetOf(id: string): MemberTarget {
  return { peerId: id, address: `10.0.0.${id.charCodeAt(0) % 200}`, port: 50_000 + id.charCodeAt(0) };
}

/** A lobby entry for a simulated host. */
export function lobbyEntry(id: string, channels: readonly string[], state: LobbyHost['state'] = 'alive'): LobbyHost {
  const t = targetOf(id);
  return { id, address: t.address, port: t.port, state, channels };
}

/** Hosts and members wired through queues. */
export class SimNet {
  readonly hosts = new Map<string, Host>();
  readonly alive = new Set<string>();
  readonly members: SimMember[];
  private readonly byConn = new Map<string, SimMember>();
  private nConn = 0;
  private nPost = 0;
  /** The runtime's clock: each delivered frame arrives 1 ms after the previous one. */
  private clock = 0;

  constructor(hostIds: readonly string[], memberIds: readonly string[], canHost: ReadonlySet<string>, readonly channel: string) {
    const peers: PeerInfo[] = memberIds.map((id) => ({ id, address: '10.0.0.9', canHost: canHost.has(id), dedicated: false, hostedChannels: 0, isClient: true, alive: true }));
    for (const id of hostIds) {
      const h = createHost({ hostId: id }, () => 0);
      h.handle({ kind: 'peers', peers });
      this.hosts.set(id, h);
      this.alive.add(id);
    }
    this.members = memberIds.map((id) => ({
      id,
      m: createMember({ selfId: id, channel, ...(canHost.has(id) ? { selfEndpoint: { address: targetOf(id).address, port: targetOf(id).port } } : {}) }),
      host: undefined, conn: undefined, inbox: [], outbox: [], closing: false, shown: [],
    }));
  }

  feed(s: SimMember, input: MemberInput): void {
    for (const e of s.m.handle(input)) this.memberEffect(s, e);
  }

  run(step: SimStep): void {
    const s = this.members[step.who % this.members.length] as SimMember;
    if (step.t === 'post') this.feed(s, { kind: 'post', text: `${s.id}:${this.nPost++}` });
    else if (step.t === 'up') {
      const cmd = s.outbox.shift();
      if (cmd !== undefined && s.conn !== undefined && s.host !== undefined) this.hostEffects(this.host(s.host).handle({ kind: 'frame', conn: s.conn, command: cmd }));
    } else {
      const cmd = s.inbox.shift();
      if (cmd !== undefined) this.feed(s, { kind: 'frame', command: cmd, at: ++this.clock });
      else if (s.closing) {
        this.drop(s);
        this.feed(s, { kind: 'closed' });
      }
    }
  }

  /** Delivers everything in flight, round-robin, until nothing moves. */
  settle(): void {
    for (let round = 0; round < 10_000; round++) {
      let moved = false;
      this.members.forEach((s, who) => {
        if (s.outbox.length === 0 && s.inbox.length === 0 && !s.closing) return;
        moved = true;
        this.run({ t: 'up', who });
        this.run({ t: 'down', who });
      });
      if (!moved) return;
    }
    throw new Error('the simulation did not settle');
  }

  /**
   * The host process dies: its frames in flight are lost and every member sees its socket close.
   * A member session of the same peer dies with it.
   */
  crash(hostId: string): void {
    this.alive.delete(hostId);
    const own = this.members.findIndex((s) => s.id === hostId);
    if (own >= 0) this.members.splice(own, 1);
    for (const s of this.members) {
      if (s.host !== hostId) continue;
      if (s.conn !== undefined) this.byConn.delete(s.conn);
      s.conn = undefined;
      s.host = undefined;
      s.inbox = [];
      s.outbox = [];
      s.closing = false;
      this.feed(s, { kind: 'closed' });
    }
  }

  /** Feeds the host `hostId` the posts its own member session showed (the takeover archive). */
  archiveFromMember(hostId: string): void {
    const own = this.members.find((s) => s.id === hostId);
    const posts = (own?.shown ?? []).map((text) => ({ authorId: text.split(':')[0] ?? '', text, at: 0 }));
    this.host(hostId).handle({ kind: 'archive', channel: this.channel, posts });
  }

  private host(id: string): Host {
    const h = this.hosts.get(id);
    if (h === undefined) throw new Error(`no host ${id}`);
    return h;
  }

  private hostEffects(fx: readonly HostEffect[]): void {
    for (const e of fx) {
      if (e.kind === 'send') this.byConn.get(e.conn)?.inbox.push(e.command);
      else if (e.kind === 'replay') this.byConn.get(e.conn)?.inbox.push(...e.posts.map(historySay));
      else if (e.kind === 'broadcast') for (const c of e.conns) this.byConn.get(c)?.inbox.push(e.command);
      else if (e.kind === 'close') {
        const s = this.byConn.get(e.conn);
        if (s !== undefined) s.closing = true;
      }
    }
  }

  private drop(s: SimMember): void {
    if (s.conn !== undefined) {
      this.byConn.delete(s.conn);
      if (s.host !== undefined && this.alive.has(s.host)) this.hostEffects(this.host(s.host).handle({ kind: 'closed', conn: s.conn }));
    }
    s.conn = undefined;
    s.host = undefined;
    s.inbox = [];
    s.outbox = [];
    s.closing = false;
  }

  private memberEffect(s: SimMember, e: MemberEffect): void {
    if (e.kind === 'event') {
      if (e.event.event === 'history' || e.event.event === 'say') s.shown.push(e.event.text);
    } else if (e.kind === 'send') s.outbox.push(e.command);
    else if (e.kind === 'disconnect') this.drop(s);
    // The simulated hosts never refuse a post or a JOIN, so no back-off is ever asked for.
    else if (e.kind === 'schedule') return;
    else {
      this.drop(s);
      const hostId = e.target.peerId;
      if (!this.alive.has(hostId)) {
        this.feed(s, { kind: 'connect-failed', refused: true });
        return;
      }
      s.host = hostId;
      s.conn = `k${this.nConn++}`;
      this.byConn.set(s.conn, s);
      this.host(hostId).handle({ kind: 'opened', conn: s.conn, remote: { address: '10.0.0.9', port: this.nConn } });
      this.feed(s, { kind: 'connected' });
    }
  }
}
