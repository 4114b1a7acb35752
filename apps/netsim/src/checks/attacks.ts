/**
 * `attacksFailed`: a hostile peer's attacks on a (secure) network failed, from both sides. The
 * attacker's: each attack was tried and never logged `attack-worked` (hostile/attacks.ts). The
 * victims': no member joined, failed over to or was told of a hostile peer as host or standby, and
 * no member received a post the hostile peer forged.
 */
import type { CheckResult } from './delivery.js';
import type { SimEvent } from './log.js';
import { FORGED_TEXT } from '../hostile/attacks.js';

/** Problems of one kind, listed once with how often and when first. */
class Findings {
  private readonly byKey = new Map<string, { text: string; t: number; n: number }>();

  add(key: string, text: string, t: number): void {
    const f = this.byKey.get(key);
    if (f) f.n += 1;
    else this.byKey.set(key, { text, t, n: 1 });
  }

  list(): string[] {
    return [...this.byKey.values()].map((f) => `${f.text} (at ${f.t} ms${f.n > 1 ? `, ${f.n} times in all` : ''})`);
  }
}

/** Checks every hostile host in `hostile` (with the attacks it was given) against the log. */
export function checkAttacksFailed(events: readonly SimEvent[], hostile: readonly { readonly name: string; readonly attacks: readonly string[] }[], clients: readonly string[]): CheckResult {
  const untried: string[] = [];
  const found = new Findings();
  for (const h of hostile) {
    for (const a of h.attacks.filter((x) => x !== 'garbage')) {
      const tried = events.some((e) => e.host === h.name && e.source === 'app' && e.event === 'attack' && e.data['attack'] === a && Number(e.data['attempts']) > 0);
      if (!tried) untried.push(`${h.name} never tried ${a}`);
    }
    for (const e of events) {
      if (e.host === h.name && e.source === 'app' && e.event === 'attack-worked') found.add(`${h.name} ${String(e.data['attack'])}`, `${h.name}'s ${String(e.data['attack'])} worked: ${String(e.data['how'])}`, e.t);
    }
  }
  const names = new Set(hostile.map((h) => h.name));
  for (const e of events) {
    if (e.source !== 'app' || !clients.includes(e.host)) continue;
    const host = String(e.data['host']);
    if ((e.event === 'joined' || e.event === 'failover') && names.has(host)) found.add(`${e.host} on ${host}`, `${e.host} ${e.event === 'joined' ? 'joined' : 'failed over to'} ${host}`, e.t);
    if (e.event === 'standby' && names.has(String(e.data['standby']))) found.add(`${e.host} standby`, `${e.host}'s host named ${String(e.data['standby'])} standby`, e.t);
    if ((e.event === 'say' || e.event === 'history') && String(e.data['text']).includes(FORGED_TEXT)) found.add(`${e.host} forged`, `${e.host} received a forged post from ${String(e.data['author'])}`, e.t);
  }
  const problems = [...untried, ...found.list()];
  return { ok: problems.length === 0, problems };
}
