import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodePdu, isValidChannelName } from '@ims/codec';
import { createDirectInvites, readDirectInvite } from './direct-invites.js';
import { EMPTY_LOBBY } from './lobby.js';
import { fcRuns } from '../test/fc-runs.js';

// Bad input from the network never throws (CONTRIBUTING §4): whatever a connection to our
// discovery port carries, reading it gives invitations naming us or a reason, and nothing else.
const from = { address: '127.0.0.9', port: 40_000 };
const invite = encodePdu({ peerId: 'srv', options: [{ type: 'SERVER_OPTION', port: 50_000 }, { type: 'SERVER_INVITE', channel: '#a', clientIds: ['me'] }] });

describe('readDirectInvite on any bytes', () => {
  it('never throws; every invitation it gives names a valid channel (public, or private: docs/protocol.md §3.8) and JOINs at the connection address', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 1_500 }),
      // Mutations of a valid invitation: one byte changed, or cut anywhere.
      fc.tuple(fc.nat(invite.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, b]) => Uint8Array.from(invite, (x, j) => (j === i ? b : x))),
      fc.nat(invite.length).map((n) => invite.subarray(0, n)),
    );
    fc.assert(
      fc.property(bytes, (data) => {
        const r = readDirectInvite({ data, from }, EMPTY_LOBBY, { selfId: 'me', now: 0 });
        if (!r.ok) return;
        for (const i of r.invitations) {
          expect(isValidChannelName(i.channel)).toBe(true);
          expect(i.endpoint.address).toBe(from.address);
        }
        expect(createDirectInvites({ ttlMs: 10 }).add(r.invitations).length).toBe(new Set(r.invitations.map((i) => `${i.serverId}\0${i.channel}`)).size);
      }),
      { numRuns: fcRuns(2_000) },
    );
  });
});
