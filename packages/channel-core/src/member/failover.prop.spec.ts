/**
 * Host and member reducers together, in pure code (sim-harness.ts): frames in flight, a host that
 * dies mid-stream, a partition that heals. Checked: every member ends on the surviving host and
 * has shown every post exactly once, with nothing left pending.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fcRuns } from '../fc-runs.js';
import { lobbyEntry, SimNet, targetOf, type SimStep } from './sim-harness.js';

const CH = '#a';
const steps = (maxLength: number) =>
  fc.array(fc.record({ t: fc.constantFrom('post' as const, 'up' as const, 'down' as const, 'down' as const), who: fc.nat(9) }), { maxLength, size: 'max' });

/** Every member joined to `host`, nothing pending, every post shown exactly once everywhere. */
function expectConverged(net: SimNet, host: string): void {
  const all = new Set<string>();
  for (const s of net.members) {
    expect(s.m.snapshot()).toMatchObject({ phase: 'joined', host, pending: [], expectedResends: 0 });
    // The reducer's seen tail is what the member showed (fewer than seenLimit posts here).
    expect(s.m.seenPosts().map((p) => p.text)).toEqual(s.shown);
    for (const t of s.shown) all.add(t);
  }
  for (const s of net.members) {
    expect(new Set(s.shown).size).toBe(s.shown.length);
    expect([...s.shown].sort()).toEqual([...all].sort());
  }
}

describe('failover: no loss, no duplicates', () => {
  it('every member shows every post exactly once after the host dies mid-stream', () => {
    fc.assert(
      fc.property(steps(40), steps(30), (before: SimStep[], after: SimStep[]) => {
        // H hosts; S is a member that can host (the standby); a and b are plain clients.
        const net = new SimNet(['H', 'S'], ['S', 'a', 'b'], new Set(['S']), CH);
        for (const s of net.members) {
          net.feed(s, { kind: 'lobby', at: 0, hosts: [lobbyEntry('H', [CH]), lobbyEntry('S', [])] });
          net.feed(s, { kind: 'join', target: targetOf('H') });
          net.settle();
        }
        before.forEach((s) => net.run(s));
        // The standby's host holds what its member session showed (the runtime feeds it so).
        net.archiveFromMember('S');
        net.crash('H');
        after.forEach((s) => net.run(s));
        net.settle();
        expectConverged(net, 'S');
      }),
      { numRuns: fcRuns(100) },
    );
  });

  it('two failovers in a row (the host, then the new host with its member session): survivors lose nothing', () => {
    fc.assert(
      fc.property(steps(30), steps(30), steps(30), (first: SimStep[], second: SimStep[], third: SimStep[]) => {
        // H hosts; S and T can host (S is picked first: it joined first); a and b are clients.
        const net = new SimNet(['H', 'S', 'T'], ['S', 'T', 'a', 'b'], new Set(['S', 'T']), CH);
        const lobby = [lobbyEntry('H', [CH]), lobbyEntry('S', []), lobbyEntry('T', [])];
        for (const s of net.members) {
          net.feed(s, { kind: 'lobby', at: 0, hosts: lobby });
          net.feed(s, { kind: 'join', target: targetOf('H') });
          net.settle();
        }
        first.forEach((s) => net.run(s));
        net.archiveFromMember('S');
        net.crash('H');
        net.settle();
        second.forEach((s) => net.run(s));
        net.archiveFromMember('T');
        net.crash('S');
        third.forEach((s) => net.run(s));
        net.settle();
        const survivors = net.members;
        const byAuthor = (t: string) => t.split(':')[0] ?? '';
        const all = new Set(survivors.flatMap((s) => s.shown).filter((t) => survivors.some((x) => x.id === byAuthor(t))));
        for (const s of survivors) {
          expect(s.m.snapshot()).toMatchObject({ phase: 'joined', host: 'T', pending: [] });
          expect(s.m.seenPosts().map((p) => p.text)).toEqual(s.shown);
          expect(new Set(s.shown).size).toBe(s.shown.length);
          expect(s.shown.filter((t) => all.has(t)).sort()).toEqual([...all].sort());
        }
      }),
      { numRuns: fcRuns(100) },
    );
  });

  it('after a partition heals, the loser’s members move to the smaller host ID without loss or duplicates', () => {
    fc.assert(
      fc.property(steps(40), steps(40), fc.array(fc.nat(3), { minLength: 4, maxLength: 4 }), (split: SimStep[], heal: SimStep[], lobbyAt) => {
        // Two hosts of '#a' that never saw each other: A (wins, smaller ID) with a1/a2, B with b1/b2.
        const net = new SimNet(['A', 'B'], ['a1', 'a2', 'b1', 'b2'], new Set(), CH);
        net.members.forEach((s, i) => {
          net.feed(s, { kind: 'join', target: targetOf(i < 2 ? 'A' : 'B') });
          net.settle();
        });
        split.forEach((s) => net.run(s));
        // Heal: each member learns of the other host at its own moment, between random deliveries.
        const healed = [lobbyEntry('A', [CH]), lobbyEntry('B', [CH])];
        heal.forEach((step, i) => {
          net.members.forEach((s, who) => {
            if (lobbyAt[who] === i % 4) net.feed(s, { kind: 'lobby', at: 0, hosts: healed });
          });
          net.run(step);
        });
        for (const s of net.members) net.feed(s, { kind: 'lobby', at: 0, hosts: healed });
        net.settle();
        expectConverged(net, 'A');
        expect(net.hosts.get('B')?.snapshot().channels).toEqual([]);
      }),
      { numRuns: fcRuns(100) },
    );
  });
});
