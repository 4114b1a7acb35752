/**
 * One log line per offender per interval (offender-log.ts, docs/protocol.md §9): a hostile
 * connection's bad frames and refused JOINs make one warn line a window, with the count of what
 * was held back; other addresses keep their own lines. Memory transport, virtual time.
 */
import { createLogger } from '@ims/app-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeDiscovery } from '../test/fake-discovery.js';
import { hostWorld, stopAll } from '../test/host-world.js';
import { isError } from '../test/memory-client.js';

afterEach(stopAll);

type Line = Record<string, unknown> & { event: string; level: string };
const GARBAGE = Uint8Array.of(0, 0, 0, 4, 70, 79, 79, 0); // "FOO\0": unknown command

function collect() {
  const lines: Line[] = [];
  const logger = createLogger({ level: 'info', stream: { write: (l) => lines.push(JSON.parse(l) as Line) } });
  const warns = () => lines.filter((l) => l.level === 'warn');
  return { lines, logger, warns };
}

describe('host service: one log line per offender per interval', () => {
  it('1,000 bad frames and 1,000 JOINs from one connection in a second make one warn line; the next window reports what was held back', async () => {
    const w = hostWorld();
    const log = collect();
    const svc = await w.start({ floodRate: 10_000, floodBurst: 10_000 }, { logger: log.logger });
    const bad = await w.client(svc, { from: '10.0.0.66' });
    bad.sendRaw(new Uint8Array(Array.from({ length: 1_000 }, () => [...GARBAGE]).flat()));
    bad.send({ cmd: 'JOIN', channel: '#a', clientId: 'evil' });
    bad.send(...Array.from({ length: 1_000 }, (_, i) => ({ cmd: 'JOIN' as const, channel: `#b${i}`, clientId: 'evil' })));
    await w.vt.advance(1_000);
    expect(svc.stats().errors['UNKNOWN_COMMAND']).toBe(1_000);
    expect(svc.stats().errors['ONE_CHANNEL_PER_CONNECTION']).toBe(1_000);
    expect(log.warns()).toEqual([expect.objectContaining({ event: 'host.refused', code: 'UNKNOWN_COMMAND', conn: expect.any(String) as unknown })]);
    // An honest peer elsewhere is its own offender: its refusal is logged.
    const other = await w.client(svc, { from: '10.0.0.7' });
    other.send({ cmd: 'SAY', text: 'early' });
    await other.next(isError('NOT_JOINED'));
    expect(log.warns().map((l) => l.code)).toEqual(['UNKNOWN_COMMAND', 'NOT_JOINED']);
    await w.vt.advance(10_000);
    bad.sendRaw(GARBAGE);
    await w.vt.advance(10);
    const last = log.warns().at(-1);
    expect(last).toMatchObject({ event: 'host.refused', code: 'UNKNOWN_COMMAND', suppressedLines: 1_999 });
    expect(last?.suppressedEvents).toEqual({ 'host.refused UNKNOWN_COMMAND': 999, 'host.refused ONE_CHANNEL_PER_CONNECTION': 1_000 });
  });

  it('a reconnect loop from one address (JOIN, close, again) makes at most ten info lines a window: the lines after a close are its address`s too', async () => {
    const w = hostWorld();
    const log = collect();
    const svc = await w.start({}, { logger: log.logger });
    await w.joined(svc, '#loop', 'anchor', { from: '10.0.0.5' });
    for (let i = 0; i < 40; i++) {
      const c = await w.joined(svc, '#loop', `loop${i}`, { from: '10.0.0.66' });
      c.conn.destroy('bye');
      await w.vt.advance(10);
    }
    const honest = await w.joined(svc, '#loop', 'fine', { from: '10.0.0.7' });
    expect(honest).toBeDefined();
    const infos = log.lines.filter((l) => l.level === 'info' && (l.event === 'host.joined' || l.event === 'host.left'));
    expect(infos.filter((l) => String(l.peer).startsWith('loop'))).toHaveLength(10);
    expect(infos.filter((l) => !String(l.peer).startsWith('loop')).map((l) => l.peer)).toEqual(['anchor', 'fine']);
  });

  it('INVITEs of a private channel go to the port (which delivers them by TCP, never by multicast: host-discovery.spec) without a warn line each', async () => {
    const w = hostWorld();
    const d = fakeDiscovery();
    const log = collect();
    const svc = await w.start({ invitesPerSecond: 1_000 }, { logger: log.logger, discovery: d.discovery });
    const owner = await w.joined(svc, '@mine', 'owner', { from: '10.0.0.66' });
    owner.send(...Array.from({ length: 100 }, (_, i) => ({ cmd: 'INVITE' as const, clientIds: [`x${i}`] })));
    await w.vt.advance(100);
    expect(d.invites).toEqual(Array.from({ length: 100 }, (_, i) => ({ channel: '@mine', clientIds: [`x${i}`] })));
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
    expect(log.lines.filter((l) => l.event === 'host.invite')).toHaveLength(8); // ten info lines a window: channel-created, joined and eight INVITEs
    const pub = await w.joined(svc, '#pub', 'p', { from: '10.0.0.7' });
    d.peers$.next([{ id: 'friend', address: '10.0.0.9', nick: 'friend', server: undefined, channels: [], isDedicatedServer: false, state: 'alive' }]);
    pub.send({ cmd: 'INVITE', clientIds: ['friend'] });
    await w.vt.advance(10);
    expect(d.invites.at(-1)).toEqual({ channel: '#pub', clientIds: ['friend'] });
  });

  it('forged hosts of our channel from one address (history pulls that fail, docs/protocol.md §5.8) make one warn line a window', async () => {
    const w = hostWorld();
    const d = fakeDiscovery();
    const log = collect();
    const svc = await w.start({}, { logger: log.logger, discovery: d.discovery });
    await w.joined(svc, '#room', 'alice', { from: '10.0.0.7' });
    // Larger IDs than host-1, all at the forger's address, on ports where nothing listens.
    d.peers$.next(Array.from({ length: 40 }, (_, i) => ({ id: `zz-${i}`, address: '10.0.0.66', nick: undefined, server: { address: '10.0.0.66', port: 50_000 + i }, channels: ['#room'], isDedicatedServer: true, state: 'alive' as const })));
    await w.vt.advance(5_000);
    expect(svc.stats().historyPulls.failures).toBeGreaterThanOrEqual(40);
    expect(log.warns().filter((l) => l.event === 'host.history_pull_failed')).toEqual([expect.objectContaining({ address: '10.0.0.66' })]);
  });

  it('an offender that stops is summed up in a host.suppressed line, at the latest when the service stops', async () => {
    const w = hostWorld();
    const log = collect();
    const svc = await w.start({}, { logger: log.logger });
    const bad = await w.client(svc, { from: '10.0.0.66' });
    for (let i = 0; i < 5; i++) bad.sendRaw(GARBAGE);
    await w.vt.advance(100);
    await w.vt.until(svc.stop());
    expect(log.lines.filter((l) => l.event === 'host.suppressed')).toEqual([
      expect.objectContaining({ offender: '10.0.0.66', suppressedLines: 4, suppressedEvents: { 'host.refused UNKNOWN_COMMAND': 4 } }),
    ]);
  });
});
