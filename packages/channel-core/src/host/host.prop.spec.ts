/**
 * Model-based test of the host: random JOIN/SAY/EXIT/INVITE/loss/peer-change sequences run
 * against a small reference model, checking the invariants of docs/protocol.md §2/§5 after every step.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fcRuns } from '../fc-runs.js';
import { createHost } from './host.js';
import type { HostEffect, HostInput, PeerInfo } from '../types.js';

// Few names, so random sequences often hit the same channel and the limits.
const CLIENTS = ['u0', 'u1', 'u2', 'u3'];
const CHANNELS = ['#a', '#b', '@p'];
const LIMITS = { historyLimit: 3, maxChannels: 2, maxMembersPerChannel: 3 };

type Cmd =
  | { t: 'join' | 'say' | 'exit' | 'lose'; c: number; ch: number }
  | { t: 'invite'; c: number; ch: number; who: number }
  | { t: 'peers'; canHost: boolean[]; alive: boolean[] }
  | { t: 'stray'; c: number };

const idx = (n: number) => fc.nat(n - 1);
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('join' as const), c: idx(4), ch: idx(3) }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('say' as const), c: idx(4), ch: idx(3) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('exit' as const), c: idx(4), ch: idx(3) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('lose' as const), c: idx(4), ch: idx(3) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('invite' as const), c: idx(4), ch: idx(3), who: idx(4) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('peers' as const), canHost: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), alive: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('stray' as const), c: idx(4) }) },
);

interface ModelChannel { members: Map<string, string>; admitted: Set<string> | undefined; history: string[] }

/** The reference model plus the driver that plays the runtime (it reports `closed` after `close`). */
function run(cmds: Cmd[]): void {
  let clock = 0;
  const host = createHost({ hostId: 'H', ...LIMITS }, () => clock);
  const channels = new Map<string, ModelChannel>();
  const archive = new Map<string, { history: string[]; admitted: Set<string> | undefined }>();
  const connOf = new Map<string, string>(); // client/channel → open conn
  const joinedTo = new Map<string, string>(); // conn → channel it is a member of
  const delivered = new Map<string, string[]>(); // conn → live posts received
  const expected = new Map<string, string[]>(); // conn → posts made while it was a member
  let peers: PeerInfo[] = [];
  let nConn = 0;
  let nText = 0;

  const memberConns = (ch: string) => [...(channels.get(ch)?.members.values() ?? [])].sort();
  const dropMember = (conn: string) => {
    const ch = joinedTo.get(conn);
    joinedTo.delete(conn);
    const mc = ch === undefined ? undefined : channels.get(ch);
    if (ch === undefined || mc === undefined) return;
    for (const [id, c] of mc.members) if (c === conn) mc.members.delete(id);
    if (mc.members.size === 0) {
      channels.delete(ch);
      if (mc.history.length > 0 || mc.admitted !== undefined) archive.set(ch, { history: mc.history, admitted: mc.admitted });
    }
  };
  const forgetConn = (conn: string) => {
    for (const [k, c] of connOf) if (c === conn) connOf.delete(k);
  };

  const step = (input: HostInput): void => {
    const fx = host.handle(input);
    check(fx);
    // The runtime closes what the host asks to close, then reports it.
    for (const e of fx) {
      if (e.kind !== 'close') continue;
      dropMember(e.conn);
      forgetConn(e.conn);
      step({ kind: 'closed', conn: e.conn });
    }
  };

  const check = (fx: HostEffect[]): void => {
    for (const e of fx) {
      if (e.kind === 'channels') {
        expect(e.public.every((n) => n.startsWith('#'))).toBe(true);
      }
      if (e.kind === 'broadcast' && e.command.cmd === 'SAY') {
        expect(new Set(e.conns).size).toBe(e.conns.length);
        for (const c of e.conns) delivered.get(c)?.push(e.command.text);
      }
    }
  };

  const join = (client: string, ch: string): void => {
    const key = `${client}/${ch}`;
    if (connOf.has(key)) return;
    const conn = `k${nConn++}`;
    connOf.set(key, conn);
    host.handle({ kind: 'opened', conn, remote: { address: '127.0.0.1', port: 50_000 + nConn } });
    delivered.set(conn, []);
    expected.set(conn, []);
    // Model: who is admitted, with the same limits.
    let mc = channels.get(ch);
    let admittedNow = false;
    let historyForNew: string[] = [];
    if (mc === undefined) {
      const arch = archive.get(ch);
      if (channels.size < LIMITS.maxChannels && (arch?.admitted === undefined || arch.admitted.has(client))) {
        mc = { members: new Map(), admitted: ch.startsWith('@') ? (arch?.admitted ?? new Set([client])) : undefined, history: arch?.history ?? [] };
        archive.delete(ch);
        channels.set(ch, mc);
        admittedNow = true;
      }
    } else {
      const replacing = mc.members.get(client);
      if (replacing !== undefined) admittedNow = true;
      else admittedNow = mc.members.size < LIMITS.maxMembersPerChannel && (mc.admitted === undefined || mc.admitted.has(client));
    }
    if (admittedNow && mc !== undefined) {
      const old = mc.members.get(client);
      if (old !== undefined) {
        joinedTo.delete(old);
        forgetConn(old);
        connOf.set(key, conn);
      }
      mc.members.set(client, conn);
      joinedTo.set(conn, ch);
      historyForNew = [...mc.history];
    }
    clock++;
    const fx = host.handle({ kind: 'frame', conn, command: { cmd: 'JOIN', channel: ch, clientId: client } });
    check(fx);
    const got = fx.flatMap((e) => (e.kind === 'replay' && e.conn === conn ? e.posts.map((p) => p.text) : []));
    expect(got).toEqual(admittedNow ? historyForNew : []);
    // Every new member gets STANDBY, and history comes before it.
    const last = fx.filter((e) => (e.kind === 'broadcast' && e.conns.includes(conn)) || (e.kind === 'send' && e.conn === conn)).at(-1);
    if (admittedNow) expect(last).toMatchObject({ command: { cmd: 'STANDBY' } });
    for (const e of fx) {
      if (e.kind !== 'close') continue;
      forgetConn(e.conn);
      step({ kind: 'closed', conn: e.conn });
    }
  };

  for (const cmd of cmds) {
    if (cmd.t === 'peers') {
      peers = CLIENTS.map((id, i) => ({ id, address: '10.0.0.1', canHost: cmd.canHost[i] ?? false, dedicated: false, hostedChannels: i, isClient: true, alive: cmd.alive[i] ?? false }));
      step({ kind: 'peers', peers });
    } else if (cmd.t === 'stray') {
      const conn = `s${nConn++}`;
      host.handle({ kind: 'opened', conn, remote: { address: '127.0.0.1', port: 1 } });
      const fx = host.handle({ kind: 'frame', conn, command: { cmd: 'SAY', text: 'stray' } });
      expect(fx).toContainEqual({ kind: 'send', conn, command: { cmd: 'ERROR', reason: 'NOT_JOINED: SAY before JOIN' } });
      step({ kind: 'closed', conn });
    } else {
      const client = CLIENTS[cmd.c] as string;
      const ch = CHANNELS[cmd.ch] as string;
      const conn = connOf.get(`${client}/${ch}`);
      if (cmd.t === 'join') join(client, ch);
      else if (conn === undefined) continue;
      else if (cmd.t === 'say') {
        const text = `m${nText++}`;
        const mch = joinedTo.get(conn);
        const mc = mch === undefined ? undefined : channels.get(mch);
        if (mc !== undefined) {
          mc.history = [...mc.history, text].slice(-LIMITS.historyLimit);
          for (const c of memberConns(mch as string)) expected.get(c)?.push(text);
        }
        step({ kind: 'frame', conn, command: { cmd: 'SAY', text } });
      } else if (cmd.t === 'exit') {
        step({ kind: 'frame', conn, command: { cmd: 'EXIT' } });
      } else if (cmd.t === 'lose') {
        dropMember(conn);
        forgetConn(conn);
        step({ kind: 'closed', conn });
      } else if (cmd.t === 'invite') {
        const mch = joinedTo.get(conn);
        const mc = mch === undefined ? undefined : channels.get(mch);
        mc?.admitted?.add(CLIENTS[cmd.who] as string);
        step({ kind: 'frame', conn, command: { cmd: 'INVITE', clientIds: [CLIENTS[cmd.who] as string] } });
      }
    }
    // Invariants after every step.
    const snap = host.snapshot();
    expect(snap.channels.map((c) => c.name).sort()).toEqual([...channels.keys()].sort());
    for (const c of snap.channels) {
      expect(c.members.map((m) => m.conn).sort()).toEqual(memberConns(c.name));
      const valid = c.members.filter((m) => peers.some((p) => p.id === m.id && p.canHost && p.alive));
      if (valid.length > 0) expect(valid.map((m) => m.id)).toContain(c.standby);
      else expect(c.standby).toBe('H');
    }
  }
  // Every member got every post made while it was a member, exactly once, in order.
  for (const [conn, want] of expected) expect(delivered.get(conn)).toEqual(want);
}

describe('host model', () => {
  it('keeps membership, delivery, standby and privacy invariants over random sequences', () => {
    fc.assert(fc.property(fc.array(cmdArb, { minLength: 5, maxLength: 80, size: 'max' }), (cmds) => run(cmds)), { numRuns: fcRuns(200) });
  });
});
