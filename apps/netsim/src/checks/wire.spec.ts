import { describe, expect, it } from 'vitest';
import { encodePdu } from '@ims/codec';
import { checkNoPrivateNames } from './wire.js';

const pdu = (channels: string[]) => ({ t: 1, from: '127.0.0.1', bytes: encodePdu({ peerId: 's1', options: [{ type: 'SERVER_OPTION', port: 50_000 }, { type: 'SERVER_CHANNELS', channels }] }) });

describe('checkNoPrivateNames', () => {
  it('passes when only public channels are announced', () => {
    expect(checkNoPrivateNames([pdu(['#room'])], ['@secret'])).toEqual({ ok: true, problems: [] });
  });

  it('finds a private name in any datagram, decodable or not', () => {
    const garbage = { t: 2, from: '127.0.0.2', bytes: new TextEncoder().encode('xx@secretyy') };
    expect(checkNoPrivateNames([pdu(['#room']), garbage], ['@secret']).problems).toEqual(['datagram from 127.0.0.2 at 2 ms names private channel @secret']);
  });
});
