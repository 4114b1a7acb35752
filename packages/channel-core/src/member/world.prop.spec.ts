/**
 * Model-based properties of failover (docs/protocol.md §5): random faults over real host and member
 * reducers in a modelled LAN (world-harness.ts): hosts killed, host and standby killed (or the
 * standby leaving) at once, partitions, restarts with the same ID, posts all along. Once the network
 * has healed and settled: one host per channel, every surviving member on it, none lost while a
 * peer that can host was reachable, no acknowledged post missing from the final host's history,
 * nothing shown twice.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fcRuns } from '../fc-runs.js';
import { endpoint, INTERVAL, World, type WorldPeer } from './world-harness.js';

const CH = '#a';
const IDS = ['A', 'H', 'S', 'T', 'b', 'c'];

type Step =
  | { t: 'post' | 'up' | 'down' | 'crash' | 'restart' | 'exit'; who: number }
  | { t: 'tick'; ms: number }
  | { t: 'crash-host-and-standby'; exit: boolean }
  | { t: 'partition'; sides: boolean[] }
  | { t: 'heal' };

const who = fc.nat(IDS.length - 1);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('post' as const), who }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constantFrom('up' as const, 'down' as const), who }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 50, max: 3 * INTERVAL }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constantFrom('crash' as const, 'restart' as const, 'exit' as const), who }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('crash-host-and-standby' as const), exit: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('partition' as const), sides: fc.array(fc.boolean(), { minLength: IDS.length, maxLength: IDS.length }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('heal' as const) }) },
);

/** The host the member session of `p` is joined to, if any. */
const hostOf = (p: WorldPeer) => (p.member?.snapshot().phase === 'joined' ? p.member.snapshot().host : undefined);

function run(w: World, step: Step): void {
  const p = (i: number) => w.peers[i % w.peers.length] as WorldPeer;
  switch (step.t) {
    case 'post':
      return w.post(p(step.who));
    case 'up':
    case 'down':
      w.deliver(p(step.who), step.t);
      return;
    case 'tick':
      return w.tick(step.ms);
    case 'crash':
      return w.crash(p(step.who));
    case 'restart':
      return w.restart(p(step.who));
    case 'exit':
      return w.exit(p(step.who));
    case 'crash-host-and-standby': {
      // The channel's current host dies with its standby (or the standby leaves as it dies).
      const host = w.peers.find((x) => x.up && x.host?.snapshot().channels.some((c) => c.name === CH && c.members.length > 0));
      const standby = host?.host?.snapshot().channels.find((c) => c.name === CH)?.standby;
      const sb = w.peers.find((x) => x.id === standby && x !== host);
      if (sb !== undefined) {
        if (step.exit) w.exit(sb);
        else w.crash(sb);
      }
      if (host !== undefined) w.crash(host);
      return;
    }
    case 'partition':
      return w.partition(new Map(IDS.map((id, i) => [id, step.sides[i] === true ? 1 : 0])));
    case 'heal':
      return w.partition(new Map());
  }
}

/** Heals, optionally restarts the crashed, then lets 60 s of virtual time pass with every frame delivered. */
function settle(w: World, restart: readonly boolean[]): void {
  w.partition(new Map());
  w.peers.forEach((p, i) => {
    if (!p.up && restart[i] === true) w.restart(p);
  });
  for (let i = 0; i < 120; i++) {
    w.drain();
    w.tick(500);
  }
  w.drain();
}

function check(w: World): void {
  const survivors = w.peers.filter((p) => p.up && p.left !== 'exit' && p.left !== 'lost-alone' && p.member !== undefined);
  for (const p of w.peers) expect(p.left, `${p.id} lost the channel while a peer that can host was reachable`).not.toBe('lost');
  if (survivors.length === 0) return;
  const hosts = new Set(survivors.map(hostOf));
  expect([...hosts], 'every surviving member on one host').toHaveLength(1);
  const winner = w.peer([...hosts][0] as string);
  const serving = w.peers.filter((p) => p.up && p.host?.snapshot().channels.some((c) => c.name === CH && c.members.length > 0)).map((p) => p.id);
  expect(serving, 'one host serves the channel').toEqual([winner.id]);
  for (const p of survivors) {
    expect(new Set(p.shown).size, `${p.id} showed a post twice`).toBe(p.shown.length);
    expect(p.member?.pendingCount(), `${p.id} still has posts pending`).toBe(0);
  }
  // A newcomer on the final host sees every acknowledged post of a surviving author.
  const h = winner.host;
  if (h === undefined) throw new Error('the winner does not host');
  h.handle({ kind: 'opened', conn: 'newcomer', remote: { address: endpoint('z').address, port: 1 } });
  const fx = h.handle({ kind: 'frame', conn: 'newcomer', command: { cmd: 'JOIN', channel: CH, clientId: 'zz' } });
  const history = new Set(fx.flatMap((e) => (e.kind === 'replay' && e.conn === 'newcomer' ? e.posts.map((p) => p.text) : [])));
  for (const p of survivors) {
    const acked = p.posted.filter((t) => p.shown.includes(t));
    expect(acked.filter((t) => !history.has(t)), `acknowledged posts of ${p.id} missing from ${winner.id}'s history`).toEqual([]);
  }
}

describe('a host restarted with the same ID (docs/protocol.md §5.5, §5.8)', () => {
  it('after 0.1 s or 10 intervals, members that rejoined it and members on the standby converge on one host', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('G', 'T'),
        fc.constantFrom(100, 10 * INTERVAL),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.array(stepArb.filter((s) => s.t === 'post' || s.t === 'up' || s.t === 'down' || s.t === 'tick'), { maxLength: 30 }),
        fc.array(stepArb.filter((s) => s.t === 'post' || s.t === 'up' || s.t === 'down'), { maxLength: 30 }),
        (standbyId, after, lateOf, before, during) => {
          // The standby's ID is smaller than H's (G) or larger (T): either copy may be the winner.
          const specs = [{ id: 'H', canHost: true }, { id: standbyId, canHost: true }, ...['a', 'b', 'c', 'd'].map((id) => ({ id, canHost: false }))];
          const w = new World(specs, CH, 'H');
          w.drain();
          w.tick(INTERVAL);
          w.drain();
          for (const s of before) run(w, s);
          // Members in `late` see the reset only after the restart, and reconnect to the new process.
          const late = new Set(['a', 'b', 'c', 'd'].filter((_, i) => lateOf[i] === true));
          w.crash(w.peer('H'), late);
          for (const s of during) if (s.t !== 'down' || !late.has(w.peers[s.who % w.peers.length]?.id ?? '')) run(w, s);
          w.tick(after);
          w.restart(w.peer('H'));
          settle(w, []);
          check(w);
        },
      ),
      { numRuns: fcRuns(100) },
    );
  });
});

describe('failover in a modelled LAN (docs/protocol.md §5)', () => {
  it('converges on one host with every surviving member, losing no acknowledged post', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: IDS.length, maxLength: IDS.length }),
        fc.array(stepArb, { maxLength: 60 }),
        fc.array(fc.boolean(), { minLength: IDS.length, maxLength: IDS.length }),
        (canHost, steps, restart) => {
          // H hosts first; at least one other peer can host.
          const specs = IDS.map((id, i) => ({ id, canHost: id === 'H' || id === 'S' || canHost[i] === true }));
          const w = new World(specs, CH, 'H');
          w.drain();
          w.tick(INTERVAL);
          w.drain();
          for (const s of steps) run(w, s);
          settle(w, restart);
          check(w);
        },
      ),
      { numRuns: fcRuns(100) },
    );
  });
});
