/** fast-check arbitraries for valid protocol values. */
import fc from 'fast-check';
import type { ClientCommand, PduOption, PeerPdu, ServerCommand } from '../src/index.js';

const visible = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
/** A valid peer ID. */
export const peerIdArb = fc.string({ unit: visible, minLength: 1, maxLength: 24 });
/** A valid public channel name. */
export const publicChannelArb = fc.string({ unit: visible, minLength: 1, maxLength: 20 }).map((s) => `#${s}`);
/** A valid channel name, public or private. */
export const channelArb = fc.tuple(fc.constantFrom('#', '@'), fc.string({ unit: visible, minLength: 1, maxLength: 20 })).map(([p, s]) => p + s);
/** Any Unicode text without NUL (full code points, so no lone surrogates). */
export const textArb = fc.string({ unit: 'binary', maxLength: 80 }).map((s) => s.replace(/\0/g, ''));

/** A valid client → server command. */
export const clientCommandArb: fc.Arbitrary<ClientCommand> = fc.oneof(
  fc.record({ cmd: fc.constant('JOIN' as const), channel: channelArb }),
  fc.record({ cmd: fc.constant('JOIN' as const), channel: channelArb, clientId: peerIdArb }),
  fc.record({ cmd: fc.constant('SAY' as const), text: textArb }),
  fc.constant({ cmd: 'EXIT' as const }),
  fc.record({ cmd: fc.constant('INVITE' as const), clientIds: fc.array(peerIdArb, { minLength: 1, maxLength: 8 }) }),
);

/** A valid server → client command. */
export const serverCommandArb: fc.Arbitrary<ServerCommand> = fc.oneof(
  fc.record({ cmd: fc.constant('SAY' as const), authorId: peerIdArb, text: textArb }),
  // History SAYs (docs/protocol.md §2.8): the post time, and the author's nick after it.
  fc.record({ cmd: fc.constant('SAY' as const), authorId: peerIdArb, text: textArb, at: fc.nat(), nick: textArb.filter((n) => n !== '') }),
  fc.record({ cmd: fc.constant('STANDBY' as const), peerId: peerIdArb }),
  fc.record({ cmd: fc.constant('ERROR' as const), reason: textArb }),
);

/** A valid PeerPDU option with counts up to `maxCount`. */
export function optionArb(maxCount: number): fc.Arbitrary<PduOption> {
  return fc.oneof(
    fc.record({ type: fc.constant('CLIENT_NICK' as const), nick: textArb }),
    fc.record({ type: fc.constant('SERVER_OPTION' as const), port: fc.integer({ min: 49_152, max: 65_535 }) }),
    fc.record({ type: fc.constant('SERVER_CHANNELS' as const), channels: fc.array(publicChannelArb, { maxLength: maxCount }) }),
    fc.record({ type: fc.constant('SERVER_INVITE' as const), channel: publicChannelArb, clientIds: fc.array(peerIdArb, { maxLength: maxCount }) }),
    fc.record({
      type: fc.constant('CLIENT_MEMBERSHIP' as const),
      servers: fc.array(fc.record({ serverId: peerIdArb, channels: fc.array(publicChannelArb, { maxLength: maxCount }) }), { maxLength: Math.min(maxCount, 8) }),
    }),
  );
}

/** A valid PeerPDU that fits one datagram's counts (sizes may still exceed 1,400 bytes). */
export const pduArb: fc.Arbitrary<PeerPdu> = fc.record({ peerId: peerIdArb, options: fc.array(optionArb(6), { maxLength: 5 }) });

