import { describe, expect, it } from 'vitest';
import { parseScenario } from './parse-scenario.js';

const GOOD = `name: crash
announceInterval: 100
hosts:
  s1: { kind: server }
  s2: { kind: server, standbyFor: all, dataDir: true }
  alice: { kind: client, channel: '#room', server: s1 }
  eve: { kind: hostile, targets: [s1], rate: 50 }
steps:
  - start: [s1, s2]
  - join: alice
  - wait: { joined: [alice], host: s1, within: 10 }
  - say: { from: alice, count: 2 }
  - kill: s1
  - pause: 3
expect:
  - exactlyOnce: true
  - failoverWithin: 6
  - joined: [alice]
    host: s2
  - announced: '#room'
    by: [s2]
`;

function errorsOf(text: string): string[] {
  const r = parseScenario(text, 'x.yaml');
  if (r.ok) throw new Error('expected errors');
  return r.errors.map((e) => e.message);
}

describe('parseScenario', () => {
  it('reads hosts, steps with their lines, and expectations', () => {
    const r = parseScenario(GOOD, 'crash.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = r.scenario;
    expect(s.announceIntervalMs).toBe(100);
    expect(s.hosts.get('s2')).toEqual({ kind: 'server', name: 's2', standbyFor: 'all', dataDir: true, args: [] });
    expect(s.hosts.get('alice')).toMatchObject({ kind: 'client', channel: '#room', server: 's1', nick: 'alice', noHost: false });
    expect(s.hosts.get('eve')).toEqual({ kind: 'hostile', name: 'eve', targets: ['s1'], rate: 50, attacks: ['garbage'], sealKey: 'none' });
    expect(s.steps.map((x) => [x.kind, x.line])).toEqual([['start', 9], ['start', 10], ['wait', 11], ['say', 12], ['kill', 13], ['pause', 14]]);
    expect(s.steps[3]).toMatchObject({ kind: 'say', posts: [{ from: 'alice', text: 'alice L12 #1' }, { from: 'alice', text: 'alice L12 #2' }] });
    expect(s.expect.map((x) => x.kind)).toEqual(['exactlyOnce', 'failoverWithin', 'condition', 'announcedBy']);
    expect(s.expect[3]).toEqual({ kind: 'announcedBy', channel: '#room', by: ['s2'], intervals: 3, line: 20 });
    expect(s.expect[2]).toMatchObject({ condition: { kind: 'joined', hosts: ['alice'], host: 's2' }, line: 18 });
  });

  it('reads the same scenario written as JSON', () => {
    const json = JSON.stringify({ hosts: { s1: { kind: 'server' } }, steps: [{ start: 's1' }] });
    const r = parseScenario(json, 'a.json');
    expect(r.ok && r.scenario.name).toBe('a');
  });

  it('names the line of a YAML syntax error', () => {
    const r = parseScenario('hosts:\n  s1: { kind: server\nsteps: []\n', 'bad.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]?.code).toBe('SCENARIO_SYNTAX');
    expect(r.errors[0]?.line).toBeGreaterThanOrEqual(2);
    expect(r.errors[0]?.message).toMatch(/^bad\.yaml:\d+:\d+: /);
  });

  it('names the line of an unknown host in a step', () => {
    const text = GOOD.replace('  - kill: s1', '  - kill: s9');
    expect(errorsOf(text)).toEqual(['x.yaml:13: unknown host "s9" (steps.4.kill)']);
  });

  it('names the line of a bad host field and of an unknown key', () => {
    const text = GOOD.replace("channel: '#room', server: s1", "channel: 'room', sever: s1");
    const errors = errorsOf(text);
    expect(errors).toContain('x.yaml:6: channel must start with # (public) or @ (private), then printable ASCII (hosts.alice.channel)');
    expect(errors.some((e) => e.startsWith('x.yaml:6: unknown key "sever"'))).toBe(true);
  });

  it('rejects a step with two actions, a wrong host kind and a bad number', () => {
    const text = GOOD.replace('  - join: alice', '  - join: s1').replace('  - pause: 3', '  - pause: -1\n  - { kill: s1, thaw: s1 }');
    const errors = errorsOf(text);
    expect(errors).toContain('x.yaml:10: host "s1" is a server, expected client (steps.1.join)');
    expect(errors).toContain('x.yaml:14: pause (intervals) must be a number from 0 to 10000 (steps.5.pause)');
    expect(errors.some((e) => e.startsWith('x.yaml:15: a step has exactly one of'))).toBe(true);
  });

  it('accepts a text repeated by the same author (netsim numbers the posts it types)', () => {
    const text = GOOD.replace('  - kill: s1', '  - say: { from: alice, text: [a, a] }');
    expect(parseScenario(text, 'x.yaml').ok).toBe(true);
  });

  it('suggests the key, step or expectation a typo meant', () => {
    const text = GOOD.replace('standbyFor: all', 'standbyfor: all').replace('  - pause: 3', '  - puase: 3').replace('  - exactlyOnce: true', '  - exactlyOnse: true');
    const errors = errorsOf(text);
    expect(errors.some((e) => e.startsWith('x.yaml:5: unknown key "standbyfor"; did you mean "standbyFor"?'))).toBe(true);
    expect(errors.some((e) => e.startsWith('x.yaml:14: unknown step "puase"; did you mean "pause"?'))).toBe(true);
    expect(errors.some((e) => e.startsWith('x.yaml:16: unknown expectation "exactlyOnse"; did you mean "exactlyOnce"?'))).toBe(true);
    expect(errorsOf(GOOD.replace('  - kill: s1', '  - wait: { joind: [alice] }'))[0]).toMatch(/^x\.yaml:13: a condition needs one of: .*; did you mean "joined"\?/);
  });

  it('requires the netns backend for partitions', () => {
    const text = GOOD.replace('  - pause: 3', '  - partition: [[s1], [s2, alice]]');
    expect(errorsOf(text)[0]).toMatch(/^x\.yaml:14: partition needs the netns backend/);
    const ok = parseScenario(`backends: [netns]\n${text}`, 'x.yaml');
    expect(ok.ok).toBe(true);
  });

  it('keeps pending scenarios with their reason', () => {
    const r = parseScenario(`pending: needs --standby-for\n${GOOD}`, 'x.yaml');
    expect(r.ok && r.scenario.pending).toBe('needs --standby-for');
  });

  it('expands count: groups and group* references, and reads hostOf and leave', () => {
    const text = `hosts:
  s1: { kind: server }
  c: { kind: client, channel: '#crowd', count: 3, noHost: true }
steps:
  - start: s1
  - join: c*
  - say: { from: c*, count: 1 }
  - kill: { hostOf: c2 }
  - leave: [c1, c3]
`;
    const r = parseScenario(text, 'g.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([...r.scenario.hosts.keys()]).toEqual(['s1', 'c1', 'c2', 'c3']);
    expect(r.scenario.hosts.get('c2')).toMatchObject({ kind: 'client', nick: 'c2', noHost: true });
    expect(r.scenario.steps[1]).toMatchObject({ kind: 'start', hosts: ['c1', 'c2', 'c3'] });
    expect(r.scenario.steps[2]).toMatchObject({ posts: [{ from: 'c1', text: 'c1 L7 #1' }, { from: 'c2', text: 'c2 L7 #1' }, { from: 'c3', text: 'c3 L7 #1' }] });
    expect(r.scenario.steps[3]).toMatchObject({ kind: 'kill', hosts: [], hostOf: 'c2' });
    expect(r.scenario.steps[4]).toMatchObject({ kind: 'leave', hosts: ['c1', 'c3'] });
    expect(errorsOf(text.replace('join: c*', 'join: d*'))).toEqual(['x.yaml:6: no host group "d" (groups come from count:) (steps.1.join)']);
  });

  it('reads standbyOf references, paced says and hogs', () => {
    const text = `hosts:
  s1: { kind: server }
  alice: { kind: client, channel: '#room' }
  bob: { kind: client, channel: '#room' }
steps:
  - leave: { standbyOf: alice }
  - kill: { standbyOf: bob }
  - say: { from: [alice, bob], count: 2, rate: 50 }
  - hog: { for: 10 }
  - hog: { procs: 3, for: 2.5 }
`;
    const r = parseScenario(text, 'b.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.steps[0]).toEqual({ kind: 'leave', hosts: [], standbyOf: 'alice', line: 6 });
    expect(r.scenario.steps[1]).toEqual({ kind: 'kill', hosts: [], standbyOf: 'bob', line: 7 });
    expect(r.scenario.steps[2]).toMatchObject({ kind: 'say', rate: 50, posts: [{ from: 'alice' }, { from: 'alice' }, { from: 'bob' }, { from: 'bob' }] });
    expect(r.scenario.steps[3]).toEqual({ kind: 'hog', intervals: 10, line: 9 });
    expect(r.scenario.steps[4]).toEqual({ kind: 'hog', procs: 3, intervals: 2.5, line: 10 });
  });

  it('rejects bad host references, rates and hogs', () => {
    const text = `hosts:
  s1: { kind: server }
  alice: { kind: client, channel: '#room' }
steps:
  - kill: { hostOf: alice, standbyOf: alice }
  - leave: { standbyOf: s1 }
  - say: { from: alice, count: 2, rate: 0 }
  - hog: { procs: 2 }
  - hog: { for: 5, cores: 2 }
`;
    const errors = errorsOf(text);
    expect(errors).toContain('x.yaml:5: a host step names hosts, or has exactly one of: hostOf, standbyOf (steps.0.kill)');
    expect(errors).toContain('x.yaml:6: host "s1" is a server, expected a client or a channel (steps.1.leave.standbyOf)');
    expect(errors).toContain('x.yaml:7: rate (posts per second per author) must be a number from 0.1 to 1000 (steps.2.say.rate)');
    expect(errors.some((e) => e.startsWith('x.yaml:8: for (intervals) must be a number'))).toBe(true);
    expect(errors.some((e) => e.startsWith('x.yaml:9: unknown key "cores"'))).toBe(true);
  });

  it('reads oneHost, noFailover and neverSplit expectations', () => {
    const text = `hosts:
  s1: { kind: server }
  alice: { kind: client, channel: '#room' }
  bob: { kind: client, channel: '#other' }
  eve: { kind: client, channel: '@secret' }
steps:
  - start: s1
expect:
  - oneHost: '#room'
  - oneHost: '#other'
    intervals: 5
  - noFailover: true
  - neverSplit: true
  - neverSplit: '#room'
  - neverSplit: ['#room', '#other']
`;
    const r = parseScenario(text, 'e.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.expect).toEqual([
      { kind: 'oneHost', channel: '#room', intervals: 3, line: 9 },
      { kind: 'oneHost', channel: '#other', intervals: 5, line: 10 },
      { kind: 'noFailover', line: 12 },
      { kind: 'neverSplit', channels: ['#room', '#other'], line: 13 },
      { kind: 'neverSplit', channels: ['#room'], line: 14 },
      { kind: 'neverSplit', channels: ['#room', '#other'], line: 15 },
    ]);
    expect(errorsOf(text.replace("neverSplit: '#room'", 'neverSplit: 3'))).toEqual(['x.yaml:14: neverSplit is true, a channel name or a list of them (expect.4.neverSplit)']);
    expect(errorsOf(text.replace("oneHost: '#room'", 'oneHost: room'))[0]).toMatch(/^x\.yaml:9: channel must start with #/);
  });
});
