import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { encodePdu } from '@ims/codec';
import { testNetwork, type SecureMode } from '@ims/secure';
import type { Datagram } from './datagram-port.js';
import { createLegacyIds } from './legacy-ids.js';
import { createOffenderLog } from './offender-log.js';
import { createPeerTable } from './peer-table.js';
import { createReceiver } from './receive-datagram.js';
import { createSourceLimiter } from './source-limiter.js';
import { createStats } from './stats.js';
import { fcRuns } from '../test/fc-runs.js';

// Bad input never throws and never reaches the table (CONTRIBUTING §4, docs/protocol.md §3.4):
// whatever bytes a keyless sender makes, a secure receiver drops each under exactly one counter and
// never calls it malformed; a plain receiver drops every sealed datagram as secureIgnored.
const MAGIC = [0x49, 0x4d, 0x53, 0x01];
const { modes } = testNetwork(2);
const [self, member] = modes as [SecureMode, SecureMode];
const genuine = member.sealer.seal(encodePdu({ peerId: member.identity.peerId, options: [{ type: 'CLIENT_NICK', nick: 'm' }] }));

function receiver(secure: SecureMode | undefined) {
  const scheduler = new VirtualTimeScheduler();
  const peerId = secure?.identity.peerId ?? 'plain';
  const table = createPeerTable({ selfId: peerId });
  const stats = createStats();
  const receive = createReceiver({
    peerId,
    table,
    limiter: createSourceLimiter({ maxPerSecond: 1_000 }),
    maxDatagramBytes: 1_400,
    scheduler,
    stats,
    log: () => undefined,
    offenders: createOffenderLog(10_000, 100),
    legacyIds: createLegacyIds(100),
    secure,
  });
  return { receive, table, stats };
}

const keyless = fc.oneof(
  fc.uint8Array({ maxLength: 1_400 }),
  fc.uint8Array({ maxLength: 1_396 }).map((b) => Uint8Array.from([...MAGIC, ...b])),
  // One byte of a member's sealed datagram changed (to another value), or the datagram cut short.
  fc.tuple(fc.nat(genuine.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => Uint8Array.from(genuine, (b, j) => (j === i ? b ^ x : b))),
  fc.nat(genuine.length - 1).map((n) => genuine.slice(0, n)),
);
const from = { address: '10.6.6.6', port: 55_555 };

describe('receiving any bytes in secure and plain mode', () => {
  it('a secure receiver drops every keyless datagram under one cause, never as malformed, and tracks no peer', () => {
    fc.assert(
      fc.property(fc.array(keyless, { maxLength: 20 }), (datagrams) => {
        const { receive, table, stats } = receiver(self);
        for (const data of datagrams) expect(receive({ data, from } satisfies Datagram)).toEqual([]);
        expect(table.peers.size).toBe(0);
        expect([stats.malformed, stats.accepted, stats.identityMismatch, stats.secureIgnored]).toEqual([0, 0, 0, 0]);
        expect(stats.unauthenticated + stats.replayed + stats.notAdmitted).toBe(datagrams.length);
      }),
      { numRuns: fcRuns(300) },
    );
  });

  it('a plain receiver drops every datagram with the sealed magic as secureIgnored, never as malformed', () => {
    const sealed = fc.oneof(keyless.filter((b) => MAGIC.every((m, i) => b[i] === m)), fc.constant(genuine));
    fc.assert(
      fc.property(fc.array(sealed, { maxLength: 20 }), (datagrams) => {
        const { receive, table, stats } = receiver(undefined);
        for (const data of datagrams) expect(receive({ data, from })).toEqual([]);
        expect(table.peers.size).toBe(0);
        expect([stats.malformed, stats.secureIgnored]).toEqual([0, datagrams.length]);
      }),
      { numRuns: fcRuns(300) },
    );
  });
});
