import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodePdus, type PduOption, type PeerPdu } from '@ims/codec';
import { EMPTY_OWN_STATE, ownPdu, reduceOwn, type OwnInput } from './own-state.js';
import { applyPdu, createPeerTable, tick } from './peer-table.js';
import { livenessAfter, thresholdsOf } from './liveness.js';
import { fcRuns } from '../test/fc-runs.js';

const numRuns = fcRuns(200);
const I = 1_000;

const id = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g');
const channel = fc.constantFrom('#x', '#y', '#z', '@p', '@q');
const option: fc.Arbitrary<PduOption> = fc.oneof(
  fc.record({ type: fc.constant('CLIENT_NICK' as const), nick: fc.constantFrom('n1', 'n2') }),
  fc.record({ type: fc.constant('SERVER_OPTION' as const), port: fc.constantFrom(50_000, 50_001) }),
  fc.record({ type: fc.constant('SERVER_CHANNELS' as const), channels: fc.array(channel, { maxLength: 3 }) }),
  fc.record({ type: fc.constant('SERVER_INVITE' as const), channel, clientIds: fc.array(fc.constantFrom('me', 'other'), { minLength: 1, maxLength: 2 }) }),
);
type Step = { kind: 'pdu'; pdu: PeerPdu; address: string; dt: number } | { kind: 'tick'; dt: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('pdu' as const), pdu: fc.record({ peerId: id, options: fc.array(option, { maxLength: 4 }) }), address: fc.constantFrom('10.0.0.1', '10.0.0.2'), dt: fc.integer({ min: 0, max: 800 }) }),
  fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 3 * I }) }),
);

describe('peer table properties', () => {
  it('whatever arrives: bounded size, states match silence, events account for every peer, no private channel listed', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), fc.integer({ min: 1, max: 5 }), (steps, maxPeers) => {
        const table = createPeerTable({ selfId: 'me', intervalMs: I, maxPeers });
        const live = new Set<string>();
        let now = 0;
        for (const s of steps) {
          now += s.dt;
          const events = s.kind === 'pdu' ? applyPdu(table, s.pdu, { address: s.address, port: 55_555 }, now) : tick(table, now);
          for (const e of events) {
            if (e.kind === 'appeared') {
              expect(live.has(e.peer.id)).toBe(false);
              live.add(e.peer.id);
            }
            if (e.kind === 'gone') expect(live.delete(e.peerId)).toBe(true);
          }
          expect(table.peers.size).toBeLessThanOrEqual(maxPeers);
          expect([...table.peers.keys()].sort()).toEqual([...live].sort());
          for (const p of table.peers.values()) {
            for (const c of p.channels.keys()) expect(c.startsWith('#')).toBe(true);
            if (p.server === undefined) expect(p.channels.size).toBe(0);
            if (s.kind === 'tick') expect(p.state).toBe(livenessAfter(thresholdsOf(table.config, p.arrivals), now - p.lastSeen, table.local.multiplier));
          }
          for (const inv of table.invitations.values()) expect(table.peers.has(inv.serverId)).toBe(true);
        }
      }),
      { numRuns },
    );
  });
});

describe('own PDU properties', () => {
  const name = fc.oneof(fc.constantFrom('#a', '#b', '@a', '@secret', 'plain', '#'), fc.string({ minLength: 1, maxLength: 12 }).map((x) => `@${x.replace(/[^\x21-\x7e]/g, 'x')}`));
  const input: fc.Arbitrary<OwnInput> = fc.oneof(
    fc.record({ kind: fc.constant('memberships' as const), memberships: fc.array(fc.record({ serverId: fc.constantFrom('s1', 's2'), channels: fc.array(name, { maxLength: 5 }) }), { maxLength: 3 }) }),
    fc.record({ kind: fc.constant('server' as const), server: fc.option(fc.record({ port: fc.constant(50_000), channels: fc.array(name, { maxLength: 8 }) }), { nil: undefined }) }),
    fc.record({ kind: fc.constant('invite' as const), channel: name, clientIds: fc.constant(['x']), sends: fc.constant(3) }),
    fc.constant({ kind: 'announced' as const }),
  );

  it('no sequence of inputs ever puts an @ channel on the wire', () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 12 }), (inputs) => {
        const state = inputs.reduce(reduceOwn, { ...EMPTY_OWN_STATE, nick: 'me' });
        for (const bytes of encodePdus(ownPdu('peer', state))) expect(bytes.includes(0x40)).toBe(false);
      }),
      { numRuns },
    );
  });
});
