import { describe, expect, it } from 'vitest';
import { parseScenario } from './parse-scenario.js';

const SECURE = `secure: true
backends: [netns]
hosts:
  s1: { kind: server }
  alice: { kind: client, channel: '#room', server: s1 }
  carol: { kind: client, channel: '#open', secure: false }
  eve: { kind: hostile, targets: [s1], victim: alice, attacks: [impersonate, forgeServer, standbyHijack], sealKey: wrong }
steps:
  - start: s1
  - lobby: { at: carol, sees: [s1], lacks: [alice] }
expect:
  - noPlaintext: true
  - attacksFailed: [eve]
`;

function errorsOf(text: string): string[] {
  const r = parseScenario(text, 'x.yaml');
  if (r.ok) throw new Error('expected errors');
  return r.errors.map((e) => e.message);
}

describe('parseScenario, secure mode', () => {
  it('reads secure, a plain host among secure ones, the attacks, a lobby step and the secure expectations', () => {
    const r = parseScenario(SECURE, 's.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.secure).toBe(true);
    expect(r.scenario.hosts.get('carol')).toMatchObject({ kind: 'client', secure: false });
    expect(r.scenario.hosts.get('alice')).not.toHaveProperty('secure');
    expect(r.scenario.hosts.get('eve')).toEqual({ kind: 'hostile', name: 'eve', targets: ['s1'], rate: 200, attacks: ['impersonate', 'forgeServer', 'standbyHijack'], victim: 'alice', sealKey: 'wrong' });
    expect(r.scenario.steps[1]).toEqual({ kind: 'lobby', at: 'carol', sees: ['s1'], lacks: ['alice'], line: 10 });
    expect(r.scenario.expect).toEqual([
      { kind: 'noPlaintext', line: 12 },
      { kind: 'attacksFailed', hosts: ['eve'], line: 13 },
    ]);
  });

  it('reads the policy lists and neverJoined', () => {
    const text = SECURE.replace('backends: [netns]\n', 'backends: [netns]\nrevoked: [alice]\nallow: [s1, carol]\n').replace('  - attacksFailed: [eve]\n', '  - attacksFailed: [eve]\n  - neverJoined: [alice]\n');
    const r = parseScenario(text, 's.yaml');
    expect(r.ok && [r.scenario.revoked, r.scenario.allow, r.scenario.expect.at(-1)]).toEqual([['alice'], ['s1', 'carol'], { kind: 'neverJoined', hosts: ['alice'], line: 16 }]);
    expect(errorsOf(text.replace('revoked: [alice]', 'revoked: [eve]'))[0]).toMatch(/revoked: "eve" is not a server or client host/);
  });

  it('is plain by default', () => {
    const r = parseScenario(SECURE.replace('secure: true\n', ''), 's.yaml');
    expect(r.ok && r.scenario.secure).toBe(false);
  });

  it('names what is wrong', () => {
    expect(errorsOf(SECURE.replace('backends: [netns]\n', ''))).toEqual([`x.yaml:11: noPlaintext reads the userspace switch's capture; add "backends: [netns]"`]);
    expect(errorsOf(SECURE.replace('attacks: [impersonate,', 'attacks: [sniff,'))[0]).toMatch(/unknown attack "sniff" \(one of: garbage, impersonate, forgeServer, standbyHijack\)/);
    expect(errorsOf(SECURE.replace('victim: alice, ', ''))[0]).toMatch(/impersonate, forgeServer, standbyHijack need a victim/);
    expect(errorsOf(SECURE.replace('attacksFailed: [eve]', 'attacksFailed: [alice]'))[0]).toMatch(/alice/);
    expect(errorsOf(SECURE.replace('sees: [s1], lacks: [alice]', 'sees: [zed]'))[0]).toMatch(/zed/);
    expect(errorsOf(SECURE.replace('secure: false', 'secure: maybe'))[0]).toMatch(/secure must be true or false/);
    expect(errorsOf(SECURE.replace("channel: '#open', secure: false", "channel: '#open', server: s1, secure: false"))).toEqual(['x.yaml:6: carol (plain mode) names s1, which runs in secure mode: the two never see each other (hosts.carol)']);
  });
});
