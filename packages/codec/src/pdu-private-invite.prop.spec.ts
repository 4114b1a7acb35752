import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelArb, peerIdArb } from '../test/arbitraries.js';
import { fcRuns } from '../test/fc-runs.js';
import { CodecError } from './errors.js';
import { decodePdu, encodePdu } from './pdu.js';
import type { PeerPdu } from './types.js';

/** A PDU as an ims host delivers it by TCP to one invitee (docs/protocol.md §3.8): any channel, public or private. */
const directInviteArb: fc.Arbitrary<PeerPdu> = fc
  .tuple(peerIdArb, fc.integer({ min: 49_152, max: 65_535 }), channelArb, fc.array(peerIdArb, { minLength: 1, maxLength: 4 }))
  .map(([peerId, port, channel, clientIds]) => ({ peerId, options: [{ type: 'SERVER_OPTION', port }, { type: 'SERVER_INVITE', channel, clientIds }] }));

describe('SERVER_INVITE for a private channel (privateInvites)', () => {
  it('round-trips with privateInvites on both sides, public and private names alike', () => {
    fc.assert(
      fc.property(directInviteArb, (pdu) => {
        expect(decodePdu(encodePdu(pdu, { privateInvites: true }), { privateInvites: true })).toEqual({ ok: true, value: pdu });
      }),
      { numRuns: fcRuns(300) },
    );
  });

  it('without the option a private name is refused by the encoder and skipped by the decoder, as in a multicast PDU', () => {
    const pdu: PeerPdu = { peerId: 'host', options: [{ type: 'SERVER_OPTION', port: 50_000 }, { type: 'SERVER_INVITE', channel: '@team', clientIds: ['bob'] }] };
    expect(() => encodePdu(pdu)).toThrow(CodecError);
    const decoded = decodePdu(encodePdu(pdu, { privateInvites: true }));
    expect(decoded).toMatchObject({ ok: true, value: { peerId: 'host', options: [{ type: 'SERVER_OPTION', port: 50_000 }] }, warning: { code: 'BAD_NAME' } });
  });

  it('still refuses private names outside SERVER_INVITE', () => {
    expect(() => encodePdu({ peerId: 'h', options: [{ type: 'SERVER_CHANNELS', channels: ['@team'] }] }, { privateInvites: true })).toThrow(CodecError);
  });
});
