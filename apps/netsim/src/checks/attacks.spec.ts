import { describe, expect, it } from 'vitest';
import { checkAttacksFailed } from './attacks.js';
import type { SimEvent } from './log.js';

const ev = (t: number, host: string, event: string, data: Record<string, unknown> = {}): SimEvent => ({ t, host, source: 'app', event, data });
const eve = [{ name: 'eve', attacks: ['impersonate', 'standbyHijack'] }];
const tried = [ev(1, 'eve', 'attack', { attack: 'impersonate', attempts: 3 }), ev(1, 'eve', 'attack', { attack: 'standbyHijack', attempts: 3 })];

describe('checkAttacksFailed', () => {
  it('holds when every attack was tried and none worked on either side', () => {
    expect(checkAttacksFailed([...tried, ev(2, 'alice', 'joined', { host: 's1' }), ev(3, 'alice', 'standby', { standby: 'bob', host: 's1' })], eve, ['alice'])).toEqual({ ok: true, problems: [] });
  });

  it('fails for an attack never tried, so a hostile peer that did nothing proves nothing', () => {
    expect(checkAttacksFailed(tried.slice(0, 1), eve, ['alice']).problems).toEqual(['eve never tried standbyHijack']);
  });

  it("fails on the attacker's word, once per attack with a count", () => {
    const worked = [ev(5, 'eve', 'attack-worked', { attack: 'impersonate', how: 'the server answered' }), ev(6, 'eve', 'attack-worked', { attack: 'impersonate', how: 'the server answered' })];
    expect(checkAttacksFailed([...tried, ...worked], eve, ['alice']).problems).toEqual(["eve's impersonate worked: the server answered (at 5 ms, 2 times in all)"]);
  });

  it("fails on the victims' side: eve as standby or host, a forged post", () => {
    const log = [...tried, ev(4, 'alice', 'standby', { standby: 'eve', host: 's1' }), ev(5, 'alice', 'failover', { host: 'eve' }), ev(6, 'alice', 'say', { author: 'alice', text: 'forged by the hostile peer as x' })];
    expect(checkAttacksFailed(log, eve, ['alice']).problems).toEqual([
      "alice's host named eve standby (at 4 ms)",
      'alice failed over to eve (at 5 ms)',
      'alice received a forged post from alice (at 6 ms)',
    ]);
  });
});
