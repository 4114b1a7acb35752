import type { ClientCommand } from '@ims/codec';
import { BehaviorSubject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { SessionWorld, standbyOf, type HostEnd } from '../test/session-world.js';

/**
 * A host as docs/protocol.md §6.2 and §9 describe it: a token bucket per connection (`rate` a
 * second, `burst`), and one reply per SAY in order: its echo, or `ERROR FLOOD` when over budget.
 */
function floodHost(w: SessionWorld, rate: number, burst: number) {
  const stats = { echoed: [] as string[], refused: 0 };
  const buckets = new Map<HostEnd, { tokens: number; at: number }>();
  const onCommand = (end: HostEnd, cmd: ClientCommand): void => {
    const b = buckets.get(end) ?? { tokens: burst, at: w.vt.now() };
    buckets.set(end, b);
    b.tokens = Math.min(burst, b.tokens + ((w.vt.now() - b.at) * rate) / 1_000);
    b.at = w.vt.now();
    if (b.tokens < 1) {
      if (cmd.cmd === 'SAY') stats.refused++;
      end.send({ cmd: 'ERROR', reason: `FLOOD: more than ${rate} frames/s, frames dropped` });
      return;
    }
    b.tokens -= 1;
    if (cmd.cmd === 'SAY') {
      stats.echoed.push(cmd.text);
      end.send({ cmd: 'SAY', authorId: 'me', text: cmd.text });
    }
  };
  return { stats, onCommand };
}

const texts = (n: number): string[] => Array.from({ length: n }, (_, i) => `post ${i}`);

describe('member session: pacing and refused posts (memory transport, virtual time)', () => {
  it('an author pasting 500 posts at once is queued to the default pace: the ims host refuses none', async () => {
    const w = new SessionWorld();
    const fh = floodHost(w, 100, 200);
    const h = await w.host('h', '10.0.0.1', standbyOf('h'), fh.onCommand);
    const s = w.start(h.target);
    await s.event('joined', (e) => e.event === 'joined');
    const start = w.vt.now();
    for (const t of texts(500)) s.session.post(t);
    await w.wait('every echo', () => (s.session.pendingCount() === 0 ? true : undefined), 60_000);
    expect(fh.stats.refused).toBe(0);
    expect(fh.stats.echoed).toEqual(texts(500));
    // Burst of 100, then 80 a second: about 5 s for the other 400.
    expect(w.vt.now() - start).toBeGreaterThanOrEqual(4_900);
    expect(w.vt.now() - start).toBeLessThan(5_500);
    const says = s.events.filter((e) => e.event === 'say').map((e) => (e.event === 'say' ? e.text : ''));
    expect(says).toEqual(texts(500));
  });

  it('a host stricter than the pace refuses some: each is re-sent after a back-off, shown exactly once, none lost', async () => {
    const w = new SessionWorld();
    const fh = floodHost(w, 20, 10);
    const h = await w.host('h', '10.0.0.1', standbyOf('h'), fh.onCommand);
    const s = w.start(h.target);
    await s.event('joined', (e) => e.event === 'joined');
    for (const t of texts(200)) s.session.post(t);
    await w.wait('every echo', () => (s.session.pendingCount() === 0 ? true : undefined), 120_000);
    expect(fh.stats.refused).toBeGreaterThan(0);
    expect([...fh.stats.echoed].sort()).toEqual([...texts(200)].sort());
    const says = s.events.filter((e) => e.event === 'say');
    expect(says).toHaveLength(200);
    expect(new Set(says.map((e) => (e.event === 'say' ? e.text : ''))).size).toBe(200);
    // One error event per back-off, not one per refused post.
    expect(s.events.filter((e) => e.event === 'error').length).toBeLessThan(fh.stats.refused);
  });

  it('sendRate and sendBurst set the pace: below the host budget nothing is refused', async () => {
    const w = new SessionWorld();
    const fh = floodHost(w, 20, 10);
    const h = await w.host('h', '10.0.0.1', standbyOf('h'), fh.onCommand);
    const s = w.start(h.target, { sendRate: 16, sendBurst: 5 });
    await s.event('joined', (e) => e.event === 'joined');
    for (const t of texts(100)) s.session.post(t);
    await w.wait('every echo', () => (s.session.pendingCount() === 0 ? true : undefined), 60_000);
    expect(fh.stats.refused).toBe(0);
    expect(fh.stats.echoed).toEqual(texts(100));
  });

  it('hundreds of re-sends after a failover are paced too: the standby refuses none', async () => {
    const w = new SessionWorld();
    let joins = 0;
    // The old host takes the SAYs and never answers them, then dies (its reconnect closes at once).
    const h = await w.host('h', '10.0.0.1', (end) => (++joins === 1 ? end.send({ cmd: 'STANDBY', peerId: 's' }) : end.conn.close('dying')));
    const fh = floodHost(w, 100, 200);
    const sb = await w.host('s', '10.0.0.2', standbyOf('s'), fh.onCommand);
    const hosts$ = new BehaviorSubject([h.lobby(['#room']), sb.lobby([])]);
    const s = w.start(h.target, { hosts$ });
    await s.event('joined', (e) => e.event === 'joined');
    for (const t of texts(400)) s.session.post(t);
    const first = await h.joined(0);
    await w.wait('400 SAYs on the old host', () => (first.commands.length === 401 ? true : undefined), 60_000);
    first.conn.close('killed');
    await s.event('failover', (e) => e.event === 'failover');
    await w.wait('every echo', () => (s.session.pendingCount() === 0 ? true : undefined), 60_000);
    expect(fh.stats.refused).toBe(0);
    expect(fh.stats.echoed).toEqual(texts(400));
    expect(s.events.filter((e) => e.event === 'say')).toHaveLength(400);
  });

  it('a JOIN refused for capacity is dialled again after the jittered back-off, on the same host', async () => {
    const w = new SessionWorld();
    let joins = 0;
    const h = await w.host('h', '10.0.0.1', (end) => {
      if (++joins > 2) return end.send({ cmd: 'STANDBY', peerId: 'h' });
      end.send({ cmd: 'ERROR', reason: 'MAX_CONNECTIONS_PER_IP: max connections per ip reached, try later' });
      end.conn.close('refused');
    });
    // random() = 0: each retry waits half of what the reducer asked (250 ms, then 500 ms).
    const s = w.start(h.target, { random: () => 0 });
    await s.event('joined', (e) => e.event === 'joined');
    expect(h.ends).toHaveLength(3);
    expect(s.events.filter((e) => e.event === 'error')).toHaveLength(1);
    const retries = s.logs.filter((l) => l['event'] === 'member.retry_in').map((l) => l['ms']);
    expect(retries).toEqual([125, 250]);
    expect(w.vt.now()).toBeGreaterThanOrEqual(375);
  });
});
