import { describe, expect, it } from 'vitest';
import { createLogger, isLogLevel } from './logger.js';

function collector() {
  const lines: string[] = [];
  return { lines, stream: { write: (l: string) => lines.push(l) }, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes one JSON object per line with ts, level, event and fields', () => {
    const c = collector();
    const log = createLogger({ stream: c.stream, clock: () => 0, base: { app: 'x' } });
    log.info('conn.open', { conn: 'c1', port: 5 });
    expect(c.lines).toHaveLength(1);
    expect(c.lines[0]?.endsWith('\n')).toBe(true);
    expect(c.parsed()[0]).toEqual({ ts: '1970-01-01T00:00:00.000Z', level: 'info', event: 'conn.open', app: 'x', conn: 'c1', port: 5 });
  });

  it('filters below the level and writes nothing when silent', () => {
    const c = collector();
    const log = createLogger({ stream: c.stream, level: 'warn' });
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    expect(c.parsed().map((l) => l['event'])).toEqual(['c', 'd']);
    expect(log.enabled('info')).toBe(false);
    const quiet = createLogger({ stream: c.stream, level: 'silent' });
    quiet.error('e');
    expect(c.lines).toHaveLength(2);
  });

  it('child adds fields, keeps level and cannot overwrite reserved keys', () => {
    const c = collector();
    const log = createLogger({ stream: c.stream, level: 'debug', base: { app: 'x' } }).child({ conn: 'c9' });
    log.debug('frame', { level: 'hack', event: 'hack', n: 1 });
    expect(c.parsed()[0]).toMatchObject({ level: 'debug', event: 'frame', app: 'x', conn: 'c9', n: 1 });
  });

  it('serialises errors with code, buffers by size, and survives cycles', () => {
    const c = collector();
    const log = createLogger({ stream: c.stream });
    const err = Object.assign(new Error('boom'), { code: 'E_X' });
    log.error('fail', { err, data: Buffer.from('abcd') });
    expect(c.parsed()[0]).toMatchObject({ err: { name: 'Error', code: 'E_X', message: 'boom' }, data: { bytes: 4 } });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    log.warn('cyc', { cyclic });
    expect(c.parsed()[1]).toMatchObject({ level: 'warn', event: 'cyc' });
    expect(c.parsed()[1]?.['logError']).toBeTypeOf('string');
  });

  it('recognises level names', () => {
    expect(isLogLevel('debug')).toBe(true);
    expect(isLogLevel('verbose')).toBe(false);
    expect(isLogLevel('toString')).toBe(false);
  });
});
