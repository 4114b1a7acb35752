import { describe, expect, it } from 'vitest';
import { decodePdu, encodePdu } from '@ims/codec';
import { generateIdentity, generateNetworkKey, secureMode, testNetwork } from '@ims/secure';
import { datagramReader } from './open-datagram.js';

describe('datagramReader (the wire recorder in secure mode)', () => {
  const { key, modes } = testNetwork(2);
  const [member, recorder] = modes as [NonNullable<(typeof modes)[0]>, NonNullable<(typeof modes)[1]>];
  const names = new Map([[member.identity.peerId, 's1']]);
  const read = datagramReader(recorder, (id) => names.get(id));

  it('opens a sealed PDU and names its peer by host name', () => {
    const pdu = encodePdu({ peerId: member.identity.peerId, options: [{ type: 'SERVER_OPTION', port: 4000 }, { type: 'SERVER_CHANNELS', channels: ['#room'] }] });
    const d = decodePdu(read(member.sealer.seal(pdu)));
    expect(d.ok && d.value).toEqual({ peerId: 's1', options: [{ type: 'SERVER_OPTION', port: 4000 }, { type: 'SERVER_CHANNELS', channels: ['#room'] }] });
  });

  it("keeps a datagram sealed under another network's key as it was (the checks do not decode it)", () => {
    const outsider = secureMode({ identity: generateIdentity(), keys: [generateNetworkKey()] });
    const sealed = outsider.sealer.seal(encodePdu({ peerId: outsider.identity.peerId, options: [] }));
    expect(read(sealed)).toEqual(sealed);
    expect(decodePdu(read(sealed)).ok).toBe(false);
    expect(key.secret).toHaveLength(32);
  });

  it('passes plain PDUs through (a mixed LAN)', () => {
    const plain = encodePdu({ peerId: 'carol', options: [] });
    expect(decodePdu(read(plain))).toMatchObject({ ok: true, value: { peerId: 'carol' } });
  });
});
