/**
 * A merge (docs/protocol.md §5.8) with real member reducers: members that moved from the loser's
 * copy already showed its posts, and the winner gets some of them twice (the members' re-sends
 * of §5.7 and the pulled copy). Each post is shown once, and the history holds it once.
 */
import { describe, expect, it } from 'vitest';
import type { ClientCommand, ServerCommand } from '@ims/codec';
import type { LobbyHost } from '../member/member-types.js';
import { createMember } from '../member/member.js';
import type { HostEffect, Member, PulledPost } from '../index.js';
import { historySay } from './history-say.js';
import { createHost } from './host.js';

const CHANNEL = '#c';
/** The winner (smaller ID) and the loser. */
const WIN = { peerId: 'h1', address: '10.0.0.1', port: 50_001 };
const LOSE = { peerId: 'h2', address: '10.0.0.2', port: 50_002 };
const lobby = (...ids: LobbyHost['id'][]): LobbyHost[] =>
  ids.map((id) => ({ ...(id === WIN.peerId ? WIN : LOSE), id, state: 'alive' as const, channels: [CHANNEL] }));

interface Peer {
  readonly id: string;
  readonly m: Member;
  /** Shown posts, `author:text`. */
  readonly shown: string[];
  /** Frames sent and not yet delivered to the winner. */
  readonly up: ClientCommand[];
  readonly down: ServerCommand[];
}

/** The winner's reducer and its members, frames delivered when the test says. */
function world() {
  let t = 100;
  let clock = 0;
  const host = createHost({ hostId: WIN.peerId }, () => t);
  const byConn = new Map<string, Peer>();
  const wire = (fx: readonly HostEffect[]): void => {
    for (const e of fx) {
      if (e.kind === 'send') byConn.get(e.conn)?.down.push(e.command);
      else if (e.kind === 'replay') byConn.get(e.conn)?.down.push(...e.posts.map(historySay));
      if (e.kind === 'broadcast') for (const c of e.conns) byConn.get(c)?.down.push(e.command);
    }
  };
  const feed = (p: Peer, input: Parameters<Member['handle']>[0]): void => {
    for (const e of p.m.handle(input)) {
      if (e.kind === 'send') p.up.push(e.command);
      if (e.kind === 'event' && (e.event.event === 'say' || e.event.event === 'history')) p.shown.push(`${e.event.author}:${e.event.text}`);
    }
  };
  const api = {
    host,
    tick: (ms: number) => (t += ms),
    /** A member joined to the loser, which relayed `posts` ([author, text], its own ones posted and echoed). */
    onLoser(id: string, posts: readonly (readonly [string, string])[]): Peer {
      const p: Peer = { id, m: createMember({ selfId: id, channel: CHANNEL }), shown: [], up: [], down: [] };
      feed(p, { kind: 'join', target: LOSE });
      feed(p, { kind: 'connected' });
      feed(p, { kind: 'frame', command: { cmd: 'STANDBY', peerId: LOSE.peerId }, at: ++clock });
      for (const [authorId, text] of posts) {
        if (authorId === id) feed(p, { kind: 'post', text });
        feed(p, { kind: 'frame', command: { cmd: 'SAY', authorId, text }, at: ++clock });
      }
      p.up.length = 0;
      return p;
    },
    /** The lobby shows both hosts: the member EXITs the loser and JOINs the winner (its frames wait in `up`). */
    move(p: Peer): void {
      feed(p, { kind: 'lobby', hosts: lobby(WIN.peerId, LOSE.peerId), at: ++clock });
      p.up.length = 0; // the EXIT went to the loser
      feed(p, { kind: 'connected' });
      const conn = `conn-${p.id}`;
      byConn.set(conn, p);
      host.handle({ kind: 'opened', conn, remote: { address: '10.0.0.9', port: 40_000 + byConn.size } });
    },
    /** Delivers `n` of the member's frames to the winner (all by default). */
    up(p: Peer, n = p.up.length): void {
      for (const command of p.up.splice(0, n)) wire(host.handle({ kind: 'frame', conn: `conn-${p.id}`, command }));
    },
    /** Delivers every frame the winner sent to the member. */
    down(p: Peer): void {
      for (const command of p.down.splice(0)) feed(p, { kind: 'frame', command, at: ++clock });
    },
    /** A plain member of the winner that posts `text`. */
    native(id: string, text: string): void {
      host.handle({ kind: 'opened', conn: id, remote: { address: '10.0.0.7', port: 2 } });
      host.handle({ kind: 'frame', conn: id, command: { cmd: 'JOIN', channel: CHANNEL, clientId: id } });
      host.handle({ kind: 'frame', conn: id, command: { cmd: 'SAY', text } });
    },
    merge(posts: readonly PulledPost[]): void {
      wire(host.handle({ kind: 'merge', channel: CHANNEL, posts }));
    },
    /** What a newcomer gets as history, `author:text`. */
    newcomer(): string[] {
      host.handle({ kind: 'opened', conn: 'late', remote: { address: '10.0.0.8', port: 1 } });
      return host
        .handle({ kind: 'frame', conn: 'late', command: { cmd: 'JOIN', channel: CHANNEL, clientId: 'late' } })
        .flatMap((e) => (e.kind === 'replay' ? e.posts.map((p) => `${p.authorId}:${p.text}`) : []));
    },
  };
  return api;
}

/** The loser's copy as pulled: m1's "a" and m2's "b", with their accept times there. */
const PULLED: PulledPost[] = [
  { authorId: 'm1', text: 'a', at: 10 },
  { authorId: 'm2', text: 'b', at: 20 },
];

/** Two members of the loser (m1 said "a", m2 said "b") and one of the winner (w1 said "x"). */
function split() {
  const w = world();
  w.native('w1', 'x');
  const onLoser = [['m1', 'a'], ['m2', 'b']] as const;
  return { w, m1: w.onLoser('m1', onLoser), m2: w.onLoser('m2', onLoser) };
}

describe('merge with members that came from the other copy', () => {
  it('the pull lands after the members joined, before their re-sends: each post shown once, stored once', () => {
    const { w, m1, m2 } = split();
    for (const p of [m1, m2]) {
      w.move(p);
      w.up(p); // JOIN
      w.down(p); // history "x", STANDBY: p re-sends its own post the winner lacks (in `up`, not delivered yet)
    }
    expect(m1.up).toEqual([{ cmd: 'SAY', text: 'a' }]);
    w.merge(PULLED);
    for (const p of [m1, m2]) w.down(p);
    // The re-sends arrive after the merge.
    w.up(m1);
    w.up(m2);
    for (const p of [m1, m2]) w.down(p);
    for (const p of [m1, m2]) {
      expect([...p.shown].sort()).toEqual(['m1:a', 'm2:b', 'w1:x']);
      expect(p.m.snapshot()).toMatchObject({ pending: [], expectedResends: 0 });
    }
    expect(w.newcomer()).toEqual(['m1:a', 'm2:b', 'w1:x']);
  });

  it('the re-sends land first, then the pull: each post shown once, stored once', () => {
    const { w, m1, m2 } = split();
    for (const p of [m1, m2]) {
      w.move(p);
      w.up(p);
      w.down(p);
    }
    w.up(m1);
    w.up(m2);
    for (const p of [m1, m2]) w.down(p);
    w.merge(PULLED);
    for (const p of [m1, m2]) w.down(p);
    for (const p of [m1, m2]) {
      expect([...p.shown].sort()).toEqual(['m1:a', 'm2:b', 'w1:x']);
      expect(p.m.snapshot()).toMatchObject({ pending: [], expectedResends: 0 });
    }
    // The re-sent copies take the loser's earlier times.
    expect(w.newcomer()).toEqual(['m1:a', 'm2:b', 'w1:x']);
  });

  it('the pull lands before the members move: they find everything in the history', () => {
    const { w, m1, m2 } = split();
    w.merge(PULLED);
    for (const p of [m1, m2]) {
      w.move(p);
      w.up(p);
      w.down(p);
      expect(p.up).toEqual([]);
    }
    for (const p of [m1, m2]) expect([...p.shown].sort()).toEqual(['m1:a', 'm2:b', 'w1:x']);
    expect(w.newcomer()).toEqual(['m1:a', 'm2:b', 'w1:x']);
  });
});
