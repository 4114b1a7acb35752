import { describe, expect, it } from 'vitest';
import { encodePdu } from '@ims/codec';
import { checkAnnouncedBy, checkNoPrivateNames } from './wire.js';

const pdu = (channels: string[], peerId = 's1', t = 1) => ({ t, from: '127.0.0.1', bytes: encodePdu({ peerId, options: [{ type: 'SERVER_OPTION', port: 50_000 }, { type: 'SERVER_CHANNELS', channels }] }) });

describe('checkNoPrivateNames', () => {
  it('passes when only public channels are announced', () => {
    expect(checkNoPrivateNames([pdu(['#room'])], ['@secret'])).toEqual({ ok: true, problems: [] });
  });

  it('finds a private name in any datagram, decodable or not', () => {
    const garbage = { t: 2, from: '127.0.0.2', bytes: new TextEncoder().encode('xx@secretyy') };
    expect(checkNoPrivateNames([pdu(['#room']), garbage], ['@secret']).problems).toEqual(['datagram from 127.0.0.2 at 2 ms names private channel @secret']);
  });
});

describe('checkAnnouncedBy', () => {
  const records = [pdu(['#room'], 's2', 100), pdu(['#room'], 's1', 500), pdu(['#other'], 's2', 600)];

  it('passes when exactly the expected hosts announced the channel lately', () => {
    expect(checkAnnouncedBy(records, '#room', ['s1'], 400)).toEqual({ ok: true, problems: [] });
  });

  it('names a host that still announces it and one that does not', () => {
    expect(checkAnnouncedBy(records, '#room', ['s1'], 0).problems).toEqual(['s2 still announces #room']);
    expect(checkAnnouncedBy(records, '#room', ['s2'], 400).problems).toEqual(['s1 still announces #room', 's2 does not announce #room']);
  });

  it('fails when nothing was recorded in the window', () => {
    expect(checkAnnouncedBy(records, '#room', ['s1'], 1_000).problems).toEqual(['no datagram recorded since 1000 ms', 's1 does not announce #room']);
  });
});
