import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { field } from './fields.js';
import { describeConfig, envName, loadConfig } from './load-config.js';

const spec = {
  port: field.port(0, { allowZero: true, min: 49_152 }),
  maxConnections: field.int(1000, { min: 1 }),
  idleTimeout: field.duration(10_000, { min: 1 }),
  logLevel: field.oneOf('info', ['debug', 'info', 'warn', 'error'] as const),
  peerId: field.optionalString(),
  channels: field.list([]),
  json: field.bool(false),
};

function expectConfigError(fn: () => unknown, code: string, ...fragments: string[]): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe(code);
    for (const f of fragments) expect((err as Error).message).toContain(f);
    return;
  }
  expect.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses defaults when nothing is set, and freezes the result', () => {
    const c = loadConfig(spec, { env: {} });
    expect(c).toEqual({ port: 0, maxConnections: 1000, idleTimeout: 10_000, logLevel: 'info', peerId: undefined, channels: [], json: false });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('layers file < env < flags', () => {
    const file = JSON.stringify({ port: 50_000, maxConnections: 5, idleTimeout: '2s', channels: ['#a', '#b'] });
    const c = loadConfig(spec, {
      file: 'ims.json',
      readFile: () => file,
      env: { IMS_MAX_CONNECTIONS: '7', IMS_IDLE_TIMEOUT: '3s', IMS_JSON: 'yes' },
      flags: { idleTimeout: '4s', logLevel: undefined },
    });
    expect(c).toMatchObject({ port: 50_000, maxConnections: 7, idleTimeout: 4000, channels: ['#a', '#b'], json: true, logLevel: 'info' });
    expect(Object.isFrozen(c.channels)).toBe(true);
  });

  it('reads the file named by IMS_CONFIG when no file option is given', () => {
    const c = loadConfig(spec, { env: { IMS_CONFIG: 'x.json' }, readFile: (p) => (p === 'x.json' ? '{"peerId":"p1"}' : '{}') });
    expect(c.peerId).toBe('p1');
  });

  it('names the key, the source and the expectation of a bad value', () => {
    expectConfigError(() => loadConfig(spec, { env: { IMS_MAX_CONNECTIONS: 'lots' } }), 'CONFIG_INVALID_VALUE', "'maxConnections'", 'IMS_MAX_CONNECTIONS', 'an integer >= 1');
    expectConfigError(() => loadConfig(spec, { env: {}, flags: { port: 80 } }), 'CONFIG_INVALID_VALUE', 'flag --port', '49152..65535');
    expectConfigError(() => loadConfig(spec, { env: {}, flags: { logLevel: 'loud' } }), 'CONFIG_INVALID_VALUE', 'one of debug, info');
  });

  it('rejects unknown file keys, unreadable files and non-objects', () => {
    expectConfigError(() => loadConfig(spec, { file: 'f', readFile: () => '{"maxConection":1}', env: {} }), 'CONFIG_UNKNOWN_KEY', "'maxConection'");
    expectConfigError(() => loadConfig(spec, { file: 'f', readFile: () => { throw new Error('ENOENT'); }, env: {} }), 'CONFIG_FILE_UNREADABLE', 'f');
    expectConfigError(() => loadConfig(spec, { file: 'f', readFile: () => '{oops', env: {} }), 'CONFIG_FILE_INVALID');
    expectConfigError(() => loadConfig(spec, { file: 'f', readFile: () => '[1]', env: {} }), 'CONFIG_FILE_INVALID');
  });

  it('derives env and flag names and documents every key', () => {
    expect(envName('maxConnectionsPerIp')).toBe('IMS_MAX_CONNECTIONS_PER_IP');
    const rows = describeConfig(spec, 'X_');
    expect(rows.find((r) => r.key === 'idleTimeout')).toMatchObject({ flag: '--idle-timeout', env: 'X_IDLE_TIMEOUT', default: 10_000 });
    expect(rows).toHaveLength(Object.keys(spec).length);
  });
});
