import { createLogger, type LogLevel } from '@ims/app-kit';
import { describe, expect, it } from 'vitest';
import { OffenderLog } from './offender-log.js';

type Line = Record<string, unknown> & { event: string; level: string };

function world(level: LogLevel = 'info', options = {}) {
  const lines: Line[] = [];
  let t = 1_000;
  const logger = createLogger({ level, stream: { write: (l) => lines.push(JSON.parse(l) as Line) }, clock: () => t });
  const log = new OffenderLog(logger, () => t, options);
  return { lines, log, logger, advance: (ms: number) => (t += ms) };
}

describe('OffenderLog', () => {
  it('writes one warn line per offender per window however many come, and the next line carries what was held back', () => {
    const w = world();
    for (let i = 0; i < 1_000; i++) w.log.log('10.0.0.9', 'warn', 'host.refused', { code: i % 2 === 0 ? 'UNKNOWN_COMMAND' : 'NOT_JOINED' });
    expect(w.lines).toEqual([expect.objectContaining({ event: 'host.refused', code: 'UNKNOWN_COMMAND' })]);
    expect(w.lines[0]).not.toHaveProperty('suppressedLines');
    w.advance(10_000);
    w.log.log('10.0.0.9', 'warn', 'host.flood', {});
    expect(w.lines).toHaveLength(2);
    expect(w.lines[1]).toMatchObject({ event: 'host.flood', suppressedLines: 999, suppressedEvents: { 'host.refused UNKNOWN_COMMAND': 499, 'host.refused NOT_JOINED': 500 } });
  });

  it('keeps offenders apart: another address has its own line', () => {
    const w = world();
    for (let i = 0; i < 10; i++) for (const a of ['10.0.0.1', '10.0.0.2']) w.log.log(a, 'warn', 'host.refused', { code: 'NOT_JOINED' });
    expect(w.lines.map((l) => l.event)).toEqual(['host.refused', 'host.refused']);
  });

  it('writes a host.suppressed line for an offender that went quiet, once another line comes after its window', () => {
    const w = world();
    for (let i = 0; i < 5; i++) w.log.log('10.0.0.9', 'warn', 'host.refused', { code: 'BAD_UTF8' });
    w.advance(10_001);
    w.log.log('10.0.0.1', 'info', 'host.joined', {});
    expect(w.lines.map((l) => l.event)).toEqual(['host.refused', 'host.suppressed', 'host.joined']);
    expect(w.lines[1]).toMatchObject({ level: 'warn', offender: '10.0.0.9', suppressedLines: 4, suppressedEvents: { 'host.refused BAD_UTF8': 4 }, sinceMs: 10_001 });
  });

  it('lets a few info lines through per window (honest peers behind one address), then holds the rest back', () => {
    const w = world('info', { infoLines: 3 });
    for (let i = 0; i < 50; i++) w.log.log('10.0.0.9', 'info', 'host.joined', { peer: `p${i}` });
    expect(w.lines.map((l) => l.peer)).toEqual(['p0', 'p1', 'p2']);
    w.log.log('10.0.0.9', 'warn', 'host.refused', { code: 'NOT_INVITED' });
    expect(w.lines).toHaveLength(4);
    w.log.flush();
    // Only info lines were held back: the summary is at info too.
    expect(w.lines[4]).toMatchObject({ level: 'info', event: 'host.suppressed', offender: '10.0.0.9', suppressedLines: 47, suppressedEvents: { 'host.joined': 47 } });
  });

  it('never holds back debug or error lines, nor lines without an offender; counts nothing below the logger level', () => {
    const w = world('debug');
    for (let i = 0; i < 3; i++) {
      w.log.log('10.0.0.9', 'debug', 'host.bad_frame', {});
      w.log.log('10.0.0.9', 'error', 'host.encode_failed', {});
      w.log.log(undefined, 'warn', 'host.standby', {});
    }
    expect(w.lines).toHaveLength(9);
    const quiet = world('error');
    for (let i = 0; i < 3; i++) quiet.log.log('10.0.0.9', 'warn', 'host.refused', {});
    quiet.log.flush();
    expect(quiet.lines).toEqual([]);
  });

  it('forgets the oldest offender past maxOffenders, writing what it held back first', () => {
    const w = world('info', { maxOffenders: 2 });
    for (const a of ['a', 'a', 'b', 'c']) w.log.log(a, 'warn', 'host.refused', {});
    expect(w.lines.map((l) => `${l.event} ${String(l.offender ?? '')}`)).toEqual(['host.refused ', 'host.refused ', 'host.suppressed a', 'host.refused ']);
  });

  it('offenderOf(): a connection is its address while open, and still after its close', () => {
    const w = world('info', { maxOffenders: 2 });
    expect(w.log.offenderOf('c1', '10.0.0.1')).toBe('10.0.0.1');
    expect(w.log.offenderOf('c1', undefined)).toBe('10.0.0.1');
    expect(w.log.offenderOf('c9', undefined)).toBe('conn c9');
    w.log.offenderOf('c2', '10.0.0.2');
    w.log.offenderOf('c3', '10.0.0.3');
    expect(w.log.offenderOf('c1', undefined)).toBe('conn c1');
  });

  it('keyed(): transport lines are throttled by the address in `address`, or in a child logger`s `remote`', () => {
    const w = world();
    const t = w.log.keyed();
    for (let i = 0; i < 5; i++) {
      t.warn('tcp.refused', { address: '10.0.0.7', reason: 'max-connections-per-ip' });
      t.child({ conn: `c${i}`, remote: `10.0.0.8:${5000 + i}` }).warn('tcp.dropped', { code: 'IDLE_TIMEOUT' });
      t.child({ conn: `v${i}`, remote: `::1:${5000 + i}` }).warn('tcp.dropped', { code: 'SLOW_READER' });
    }
    expect(w.lines.map((l) => [l.event, l.address ?? l.remote])).toEqual([
      ['tcp.refused', '10.0.0.7'],
      ['tcp.dropped', '10.0.0.8:5000'],
      ['tcp.dropped', '::1:5000'],
    ]);
    // A bare address in a line's own fields (host.flood) is the same offender as its connections.
    t.warn('host.flood', { remote: '10.0.0.8' });
    expect(w.lines).toHaveLength(3);
    // An IPv6 `remote` in a line's own fields: the port cannot be told from the address, so it stays whole.
    t.warn('x', { remote: '::1:5000' });
    t.warn('x', { remote: '::1:5001' });
    expect(w.lines).toHaveLength(5);
    t.error('tcp.server_error', { address: '10.0.0.7' });
    expect(w.lines).toHaveLength(6);
  });
});
