/**
 * The fixture table: wire bytes (hex, written independently of the codec) next to the value they
 * carry. Encode, decode and re-decode tests all read from here (mqtt-packet's testParseGenerate).
 */
import type { ClientCommand, CodecErrorCode, PeerPdu, ServerCommand } from '../src/index.js';

/** Bytes from a hex string with optional spaces. */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Hex string of bytes, space-separated, for readable failures. */
export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** One command fixture: its strict frame and its value. */
export interface FrameFixture<C> {
  readonly name: string;
  readonly hex: string;
  readonly value: C;
}

/** Client → server commands (decoded with direction 'toServer'). */
export const toServerFixtures: readonly FrameFixture<ClientCommand>[] = [
  { name: 'JOIN', hex: '00 00 00 0c 4a 4f 49 4e 00 23 6c 6f 62 62 79 00', value: { cmd: 'JOIN', channel: '#lobby' } },
  { name: 'JOIN with clientId', hex: '00 00 00 13 4a 4f 49 4e 00 23 6c 6f 62 62 79 00 70 65 65 72 2d 31 00', value: { cmd: 'JOIN', channel: '#lobby', clientId: 'peer-1' } },
  { name: 'JOIN private', hex: '00 00 00 0b 4a 4f 49 4e 00 40 74 65 61 6d 00', value: { cmd: 'JOIN', channel: '@team' } },
  { name: 'SAY', hex: '00 00 00 07 53 41 59 00 68 69 00', value: { cmd: 'SAY', text: 'hi' } },
  { name: 'SAY UTF-8', hex: '00 00 00 10 53 41 59 00 67 72 c3 bc c3 9f 20 f0 9f 91 8b 00', value: { cmd: 'SAY', text: 'grüß 👋' } },
  { name: 'SAY empty text', hex: '00 00 00 05 53 41 59 00 00', value: { cmd: 'SAY', text: '' } },
  { name: 'EXIT', hex: '00 00 00 05 45 58 49 54 00', value: { cmd: 'EXIT' } },
  { name: 'INVITE', hex: '00 00 00 0b 49 4e 56 49 54 45 00 61 00 62 00', value: { cmd: 'INVITE', clientIds: ['a', 'b'] } },
];

/** Server → client commands (decoded with direction 'toClient'). */
export const toClientFixtures: readonly FrameFixture<ServerCommand>[] = [
  { name: 'server SAY', hex: '00 00 00 0e 53 41 59 00 70 65 65 72 2d 31 00 68 69 00', value: { cmd: 'SAY', authorId: 'peer-1', text: 'hi' } },
  { name: 'STANDBY', hex: '00 00 00 0f 53 54 41 4e 44 42 59 00 70 65 65 72 2d 32 00', value: { cmd: 'STANDBY', peerId: 'peer-2' } },
  { name: 'ERROR', hex: '00 00 00 16 45 52 52 4f 52 00 75 6e 6b 6e 6f 77 6e 20 63 6f 6d 6d 61 6e 64 00', value: { cmd: 'ERROR', reason: 'unknown command' } },
];

/** PeerPDU fixtures: one per option, and one with all of them. */
export const pduFixtures: readonly { readonly name: string; readonly hex: string; readonly value: PeerPdu }[] = [
  { name: 'no options', hex: '70 31 00', value: { peerId: 'p1', options: [] } },
  { name: 'CLIENT_NICK', hex: '70 31 00 01 42 6f 62 20 c3 bc 00', value: { peerId: 'p1', options: [{ type: 'CLIENT_NICK', nick: 'Bob ü' }] } },
  {
    name: 'CLIENT_MEMBERSHIP',
    hex: '70 31 00 02 02 73 31 00 02 23 61 00 23 62 00 73 32 00 00',
    value: { peerId: 'p1', options: [{ type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 's1', channels: ['#a', '#b'] }, { serverId: 's2', channels: [] }] }] },
  },
  { name: 'SERVER_OPTION', hex: '70 31 00 10 c3 50', value: { peerId: 'p1', options: [{ type: 'SERVER_OPTION', port: 50_000 }] } },
  { name: 'SERVER_CHANNELS', hex: '70 31 00 11 02 23 61 00 23 62 00', value: { peerId: 'p1', options: [{ type: 'SERVER_CHANNELS', channels: ['#a', '#b'] }] } },
  { name: 'SERVER_INVITE', hex: '70 31 00 12 23 61 00 02 63 31 00 63 32 00', value: { peerId: 'p1', options: [{ type: 'SERVER_INVITE', channel: '#a', clientIds: ['c1', 'c2'] }] } },
  {
    name: 'every option',
    hex: '73 72 76 00 01 6e 00 10 ff ff 11 01 23 78 00 12 23 78 00 01 63 00 02 01 68 00 01 23 79 00',
    value: {
      peerId: 'srv',
      options: [
        { type: 'CLIENT_NICK', nick: 'n' },
        { type: 'SERVER_OPTION', port: 65_535 },
        { type: 'SERVER_CHANNELS', channels: ['#x'] },
        { type: 'SERVER_INVITE', channel: '#x', clientIds: ['c'] },
        { type: 'CLIENT_MEMBERSHIP', servers: [{ serverId: 'h', channels: ['#y'] }] },
      ],
    },
  },
];

/** A frame-level error fixture: bytes fed to a decoder and the code of the first result. */
export interface ErrorFixture {
  readonly code: CodecErrorCode;
  readonly direction: 'toServer' | 'toClient';
  readonly hex: string;
  readonly fatal: boolean;
}
