import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/parse-scenario.js';
import { evaluateCondition } from './conditions.js';
import { hostOfChannel, standbyOfChannel, survivingClients } from './roles.js';
import { logBuilder } from './test-log.js';

const members = new Map([
  ['alice', '#room'],
  ['bob', '#room'],
  ['carol', '#room'],
  ['dave', '#other'],
]);

function room() {
  return logBuilder().start('s1', 'alice', 'bob', 'carol', 'dave').joined('alice', 's1').joined('bob', 's1').joined('carol', 's1').joined('dave', 's1');
}

describe('role selectors at run time', () => {
  it('survivors are the clients netsim has not ended, of a channel when given', () => {
    const b = room().sim('carol', 'kill');
    expect(survivingClients(b.events, members)).toEqual(['alice', 'bob', 'dave']);
    expect(survivingClients(b.events, members, '#room')).toEqual(['alice', 'bob']);
    expect(evaluateCondition({ kind: 'joined', hosts: ['survivors(#room)'], host: 's1' }, b.events, members)).toEqual({ ok: true, detail: 'ok' });
    b.sim('bob', 'leave');
    expect(evaluateCondition({ kind: 'joined', hosts: ['survivors'] }, b.events, members).ok).toBe(true);
  });

  it('anyClient holds when the one host is a client of the scenario', () => {
    const b = room().sim('s1', 'kill').app('alice', 'failover', { host: 'bob' }).app('bob', 'failover', { host: 'bob' });
    const cond = { kind: 'converged', hosts: ['alice', 'bob'], host: 'anyClient' } as const;
    expect(evaluateCondition(cond, b.events, members)).toEqual({ ok: true, detail: 'ok' });
    b.app('alice', 'failover', { host: 's2' }).app('bob', 'failover', { host: 's2' });
    expect(evaluateCondition(cond, b.events, members)).toEqual({ ok: false, detail: 'hosts differ (wanted on anyClient): alice (on s2), bob (on s2)' });
  });

  it('the host and standby of a channel come from its running members', () => {
    const b = room().app('carol', 'failover', { host: 's2' }).app('alice', 'standby', { host: 's1', standby: 'bob' });
    expect(hostOfChannel(b.events, members, '#room')).toBe('s1');
    expect(standbyOfChannel(b.events, members, '#room')).toBe('bob');
    b.app('bob', 'standby', { host: 's1', standby: 's1' });
    expect(standbyOfChannel(b.events, members, '#room')).toBeUndefined();
  });
});

describe('role selectors in a scenario', () => {
  const scenario = (steps: string, expect = '') => `hosts:
  s1: { kind: server }
  alice: { kind: client, channel: '#room', server: s1 }
  bob: { kind: client, channel: '#room', server: s1 }
steps:
  - start: s1
${steps}${expect}`;

  it('reads standbyOf(#room), survivors and anyClient', () => {
    const r = parseScenario(scenario('  - kill: standbyOf(#room)\n  - leave: { hostOf: "#room" }\n  - wait: { converged: survivors, host: anyClient }\n', 'expect:\n  - joined: [survivors(#room)]\n'), 'x.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.steps.slice(1).map((s) => s)).toEqual([
      { kind: 'kill', hosts: [], standbyOf: '#room', line: 7 },
      { kind: 'leave', hosts: [], hostOf: '#room', line: 8 },
      { kind: 'wait', condition: { kind: 'converged', hosts: ['survivors'], host: 'anyClient' }, within: 20, line: 9 },
    ]);
  });

  it('names unknown channels and reserved host names', () => {
    const r = parseScenario(scenario('  - kill: hostOf(#nowhere)\n  - wait: { joined: [survivors(#gone)] }\n').replace('  bob:', '  survivors:'), 'x.yaml');
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toEqual([
      'x.yaml:4: host name "survivors" is reserved: it selects hosts by role (hosts.survivors)',
      'x.yaml:7: no client is on channel "#nowhere" (steps.1.kill.hostOf)',
      'x.yaml:8: no client is on channel "#gone" (in survivors(#gone)) (steps.2.wait.joined)',
    ]);
  });
});
