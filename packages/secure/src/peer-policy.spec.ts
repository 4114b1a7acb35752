import { describe, expect, it } from 'vitest';
import { generateIdentity } from './identity.js';
import { ANY_PEER, parsePeerList, peerPolicy } from './peer-policy.js';

describe('peer policy', () => {
  const [a, b, c] = [generateIdentity().peerId, generateIdentity().peerId, generateIdentity().peerId];

  it('admits anyone by default, only the allowed with a list, never the revoked', () => {
    expect(ANY_PEER.admits(a)).toBe(true);
    const policy = peerPolicy({ allow: [a, b], revoked: [b] });
    expect([a, b, c].map((id) => policy.admits(id))).toEqual([true, false, false]);
    expect(peerPolicy({ revoked: [c] }).admits(a)).toBe(true);
  });

  it('reads one ID per line with comments, and names a bad line', () => {
    expect(parsePeerList(`# ops team\n${a}  # alice\n\n${b}\n`, 'allow')).toEqual([a, b]);
    expect(() => parsePeerList(`${a}\nbob\n`, 'allow.txt')).toThrow(/allow\.txt:2: "bob" is not a secure-mode peer ID/);
  });
});
