/**
 * Property (docs/protocol.md §8): whatever the churn of other channels (more closed ones than the
 * archive keeps, archives of posts for any name), a private channel admits exactly its creator and
 * the peers invited since, for as long as the host runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcRuns } from '../fc-runs.js';
import { errorCodes, harness } from './host-harness.js';

const PRIVATE = ['@a', '@b'];
const IDS = ['p0', 'p1', 'p2', 'p3', 'p4'];

type Op =
  | { readonly op: 'join'; readonly channel: string; readonly id: string }
  | { readonly op: 'invite'; readonly member: number; readonly ids: readonly string[] }
  | { readonly op: 'leave'; readonly member: number }
  | { readonly op: 'churn'; readonly n: number }
  | { readonly op: 'archive'; readonly channel: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('join' as const), channel: fc.constantFrom(...PRIVATE), id: fc.constantFrom(...IDS) }),
  fc.record({ op: fc.constant('invite' as const), member: fc.nat(20), ids: fc.subarray(IDS, { minLength: 1 }) }),
  fc.record({ op: fc.constant('leave' as const), member: fc.nat(20) }),
  fc.record({ op: fc.constant('churn' as const), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ op: fc.constant('archive' as const), channel: fc.constantFrom(...PRIVATE, '#pub') }),
);

function run(ops: readonly Op[]): void {
  const h = harness({ maxArchivedChannels: 2 });
  const lists = new Map<string, Set<string>>();
  const live: { conn: string; channel: string; id: string }[] = [];
  let next = 0;
  for (const o of ops) {
    if (o.op === 'join') {
      // The same ID on a second live connection is another rule (REPLACED / ID_IN_USE): not here.
      if (live.some((m) => m.channel === o.channel && m.id === o.id)) continue;
      const conn = `c${next++}`;
      const codes = errorCodes(h.join(conn, o.channel, o.id));
      const list = lists.get(o.channel);
      const admitted = list === undefined || list.has(o.id);
      expect(codes, `${o.id} joining ${o.channel} (list ${[...(list ?? [])].join(',')})`).toEqual(admitted ? [] : ['NOT_INVITED']);
      if (!admitted) {
        h.closed(conn);
        continue;
      }
      if (list === undefined) lists.set(o.channel, new Set([o.id]));
      live.push({ conn, channel: o.channel, id: o.id });
    } else if (o.op === 'invite') {
      const m = live[o.member % Math.max(1, live.length)];
      if (m === undefined) continue;
      h.frame(m.conn, { cmd: 'INVITE', clientIds: [...o.ids] });
      for (const id of o.ids) lists.get(m.channel)?.add(id);
    } else if (o.op === 'leave') {
      const [m] = live.splice(o.member % Math.max(1, live.length), 1);
      if (m !== undefined) h.closed(m.conn);
    } else if (o.op === 'churn') {
      for (let i = 0; i < o.n; i++) {
        const conn = `t${next++}`;
        h.join(conn, `#junk${next}`, 'mallory');
        h.say(conn, 'x');
        h.closed(conn);
      }
    } else {
      // An archive of posts never erases a list; for a name without a list it stays a takeover (open).
      if (!lists.has(o.channel) && o.channel.startsWith('@')) continue;
      h.host.handle({ kind: 'archive', channel: o.channel, posts: [{ authorId: 'x', text: 'old', at: 1 }] });
    }
    h.tick(1);
  }
}

describe('host: admission lists under churn (property)', () => {
  it('a private channel admits exactly its creator and the invited, whatever else happens', () => {
    fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => run(ops)), { numRuns: fcRuns(200) });
  });
});
