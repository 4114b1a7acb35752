import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, describeConfig } from '@ims/app-kit';
import { MAX_CONFIGURED_PEER_ID_LENGTH } from '@ims/codec';
import { EXIT, SERVER_CONFIG_SPEC, UsageError, parseServerConfig } from './config.js';

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

describe('parseServerConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ims-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the documented defaults and a random UUID id', () => {
    const a = parseServerConfig([], {});
    const b = parseServerConfig([], {});
    expect(a).toMatchObject({ port: 0, bind: '127.0.0.1', interface: '127.0.0.1', announceInterval: 2000 });
    expect(a.dataDir).toBeUndefined();
    expect(a.httpPort).toBeUndefined();
    expect(a.standbyFor).toEqual([]);
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.id).not.toBe(b.id);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('layers file < env < flags', () => {
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ maxChannels: 5, floodRate: 7, floodBurst: 9 }));
    const c = parseServerConfig(['--config', file, '--flood-rate', '8', '--id', 'box-1'], { IMS_FLOOD_BURST: '11' });
    expect(c).toMatchObject({ maxChannels: 5, floodRate: 8, floodBurst: 11, id: 'box-1' });
  });

  it('parses units, lists and optional ports', () => {
    const c = parseServerConfig(
      ['--max-frame-bytes', '1KiB', '--idle-timeout', '2s', '--standby-for', 'a,b', '--http-port', '0', '--port', '50000'],
      {},
    );
    expect(c).toMatchObject({ maxFrameBytes: 1024, idleTimeout: 2000, standbyFor: ['a', 'b'], httpPort: 0, port: 50_000 });
  });

  it('rejects a port outside 49152-65535 with a ConfigError naming the key', () => {
    const e = thrown(() => parseServerConfig(['--port', '8080'], {}));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).toMatchObject({ code: 'CONFIG_INVALID_VALUE', key: 'port', source: 'flag' });
    expect(thrown(() => parseServerConfig([], { IMS_LOG_LEVEL: 'loud' }))).toMatchObject({ key: 'logLevel', source: 'env' });
  });

  it('takes a peer ID of visible ASCII up to 64 characters, from any source', () => {
    const longest = 'x'.repeat(MAX_CONFIGURED_PEER_ID_LENGTH);
    expect(parseServerConfig(['--id', longest], {}).id).toBe(longest);
    expect(thrown(() => parseServerConfig(['--id', longest + 'x'], {}))).toMatchObject({ code: 'CONFIG_INVALID_VALUE', key: 'id', source: 'flag' });
    expect(thrown(() => parseServerConfig([], { IMS_ID: 'two words' }))).toMatchObject({ key: 'id', source: 'env' });
  });

  it('turns unknown flags into a usage error with exit code 2', () => {
    const err: string[] = [];
    const e = thrown(() => parseServerConfig(['--nope'], {}, { out: () => undefined, err: (t) => err.push(t) }));
    expect(e).toBeInstanceOf(UsageError);
    expect(e).toMatchObject({ code: 'USAGE', exitCode: EXIT.USAGE });
    expect(err.join('')).toMatch(/unknown option/);
  });

  it('lists every key as a flag with its env name and default in --help', () => {
    const out: string[] = [];
    const e = thrown(() => parseServerConfig(['--help'], {}, { out: (t) => out.push(t), err: () => undefined }));
    expect(e).toMatchObject({ code: 'HELP', exitCode: EXIT.OK });
    const help = out.join('').replace(/\s+/g, ' ');
    for (const row of describeConfig(SERVER_CONFIG_SPEC)) {
      expect(help).toContain(row.flag);
      expect(help).toContain(row.env);
      const shown = row.default === undefined || (Array.isArray(row.default) && row.default.length === 0) ? '(default: ' : `(default: ${JSON.stringify(row.default)})`;
      expect(help).toContain(`${row.flag} <value> ${row.doc}`);
      expect(help.slice(help.indexOf(`${row.flag} <value>`))).toContain(shown);
    }
  });
});
