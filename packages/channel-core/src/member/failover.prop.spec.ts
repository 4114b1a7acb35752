/**
 * Host and member reducers together, in pure code: members post while frames are in flight, the
 * host dies at a random moment (frames in flight are lost), everyone fails over to the standby.
 * Checked: every member ends joined to the standby and has shown every post exactly once.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ClientCommand, ServerCommand } from '@ims/codec';
import { fcRuns } from '../fc-runs.js';
import { createHost } from '../host/host.js';
import type { Host, HostEffect, PeerInfo } from '../types.js';
import { createMember } from './member.js';
import type { LobbyHost, Member, MemberEffect, MemberInput, MemberTarget } from './member-types.js';

const CH = '#a';
const TARGETS: Record<string, MemberTarget> = {
  H: { peerId: 'H', address: '10.0.0.1', port: 50_001 },
  S: { peerId: 'S', address: '10.0.0.2', port: 50_002 },
};
const IDS = ['S', 'a', 'b'];

interface Sim {
  readonly id: string;
  readonly m: Member;
  host: string | undefined;
  conn: string | undefined;
  inbox: ServerCommand[];
  outbox: ClientCommand[];
  closing: boolean;
  shown: string[];
}

const lobbyEntry = (id: string, channels: string[]): LobbyHost => {
  const t = TARGETS[id] as MemberTarget;
  return { id, address: t.address, port: t.port, state: 'alive', channels };
};

type Step = { t: 'post' | 'up' | 'down'; who: number };
const stepArb: fc.Arbitrary<Step> = fc.record({ t: fc.constantFrom('post' as const, 'up' as const, 'down' as const, 'down' as const), who: fc.nat(IDS.length - 1) });

function simulate(before: Step[], after: Step[]): Sim[] {
  const hosts = new Map<string, Host>();
  const alive = new Set(['H', 'S']);
  const peers: PeerInfo[] = [
    { id: 'S', address: '10.0.0.2', canHost: true, dedicated: false, hostedChannels: 0, isClient: true, alive: true },
    ...['a', 'b'].map((id) => ({ id, address: '10.0.0.3', canHost: false, dedicated: false, hostedChannels: 0, isClient: true, alive: true })),
  ];
  for (const id of ['H', 'S']) {
    const h = createHost({ hostId: id }, () => 0);
    h.handle({ kind: 'peers', peers });
    hosts.set(id, h);
  }
  const sims: Sim[] = IDS.map((id) => ({
    id,
    m: createMember({ selfId: id, channel: CH, ...(id === 'S' ? { selfEndpoint: { address: '10.0.0.2', port: 50_002 } } : {}) }),
    host: undefined, conn: undefined, inbox: [], outbox: [], closing: false, shown: [],
  }));
  const byConn = new Map<string, Sim>();
  let nConn = 0;
  let nPost = 0;

  const hostEffects = (fx: readonly HostEffect[]): void => {
    for (const e of fx) {
      if (e.kind === 'send') byConn.get(e.conn)?.inbox.push(e.command);
      else if (e.kind === 'broadcast') for (const c of e.conns) byConn.get(c)?.inbox.push(e.command);
      else if (e.kind === 'close') {
        const s = byConn.get(e.conn);
        if (s !== undefined) s.closing = true;
      }
    }
  };
  const drop = (s: Sim): void => {
    if (s.conn !== undefined) {
      byConn.delete(s.conn);
      if (s.host !== undefined && alive.has(s.host)) hostEffects((hosts.get(s.host) as Host).handle({ kind: 'closed', conn: s.conn }));
    }
    s.conn = undefined;
    s.host = undefined;
    s.inbox = [];
    s.outbox = [];
    s.closing = false;
  };
  const feed = (s: Sim, input: MemberInput): void => {
    for (const e of s.m.handle(input)) memberEffect(s, e);
  };
  const memberEffect = (s: Sim, e: MemberEffect): void => {
    if (e.kind === 'event') {
      if (e.event.event === 'history' || e.event.event === 'say') s.shown.push(e.event.text);
    } else if (e.kind === 'send') s.outbox.push(e.command);
    else if (e.kind === 'disconnect') drop(s);
    else {
      drop(s);
      const hostId = e.target.peerId;
      if (!alive.has(hostId)) {
        feed(s, { kind: 'connect-failed', refused: true });
        return;
      }
      s.host = hostId;
      s.conn = `k${nConn++}`;
      byConn.set(s.conn, s);
      (hosts.get(hostId) as Host).handle({ kind: 'opened', conn: s.conn, remote: { address: '10.0.0.9', port: nConn } });
      feed(s, { kind: 'connected' });
    }
  };
  const run = (step: Step): void => {
    const s = sims[step.who] as Sim;
    if (step.t === 'post') feed(s, { kind: 'post', text: `${s.id}${nPost++}` });
    else if (step.t === 'up') {
      const cmd = s.outbox.shift();
      if (cmd !== undefined && s.conn !== undefined && s.host !== undefined) hostEffects((hosts.get(s.host) as Host).handle({ kind: 'frame', conn: s.conn, command: cmd }));
    } else {
      const cmd = s.inbox.shift();
      if (cmd !== undefined) feed(s, { kind: 'frame', command: cmd });
      else if (s.closing) {
        drop(s);
        feed(s, { kind: 'closed' });
      }
    }
  };
  const settle = (): void => {
    for (let round = 0; round < 1_000; round++) {
      let moved = false;
      for (const s of sims) {
        if (s.outbox.length > 0 || s.inbox.length > 0 || s.closing) {
          moved = true;
          run({ t: 'up', who: sims.indexOf(s) });
          run({ t: 'down', who: sims.indexOf(s) });
        }
      }
      if (!moved) return;
    }
    throw new Error('did not settle');
  };

  for (const s of sims) {
    feed(s, { kind: 'lobby', hosts: [lobbyEntry('H', [CH]), lobbyEntry('S', [])] });
    feed(s, { kind: 'join', target: TARGETS['H'] as MemberTarget });
    settle();
  }
  before.forEach(run);
  // The host dies: frames in flight are lost; the standby's host holds what its member saw.
  alive.delete('H');
  const standby = sims[0] as Sim;
  hosts.get('S')?.handle({ kind: 'archive', channel: CH, posts: standby.shown.map((text) => ({ authorId: text.replace(/\d+$/, ''), text, at: 0 })) });
  for (const s of sims) {
    byConn.delete(s.conn ?? '');
    s.conn = undefined;
    s.inbox = [];
    s.outbox = [];
    feed(s, { kind: 'closed' });
  }
  after.forEach(run);
  settle();
  return sims;
}

describe('failover: no loss, no duplicates', () => {
  it('every member shows every post exactly once after the host dies mid-stream', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 40, size: 'max' }), fc.array(stepArb, { maxLength: 30, size: 'max' }), (before, after) => {
        const sims = simulate(before, after);
        const all = new Set<string>();
        for (const s of sims) {
          expect(s.m.snapshot()).toMatchObject({ phase: 'joined', host: 'S', pending: [] });
          for (const t of s.shown) all.add(t);
        }
        for (const s of sims) {
          expect(new Set(s.shown).size).toBe(s.shown.length);
          expect([...s.shown].sort()).toEqual([...all].sort());
        }
      }),
      { numRuns: fcRuns(200) },
    );
  });
});
