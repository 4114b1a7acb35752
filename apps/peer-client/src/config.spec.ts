import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, describeConfig } from '@ims/app-kit';
import { MAX_CONFIGURED_PEER_ID_LENGTH } from '@ims/codec';
import { EXIT, PEER_CONFIG_SPEC, parseInvocation, UsageError, type Invocation } from './config.js';

const quiet = { out: () => undefined, err: () => undefined };
/** Parses with an empty environment unless one is given, so the test runner's IMS_* never leak in. */
const parse = (argv: string[], env: Record<string, string> = {}): Invocation => parseInvocation(argv, quiet, env);

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

describe('parseInvocation', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ims-peer-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to the interactive mode on loopback with the protocol defaults', () => {
    const inv = parse(['--nick', 'alice']);
    expect(inv.mode).toBe('interactive');
    expect(inv.config).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      nick: 'alice',
      interface: '127.0.0.1',
      discoveryPort: 55_555,
      announceIntervalMs: 2_000,
      host: true,
      port: 0,
      logLevel: 'warn',
      joinTimeoutMs: 5_000,
      standbyWaitMs: 10_000,
      historyQuietMs: 1_500,
    });
    expect(Object.isFrozen(inv.config)).toBe(true);
    const other = parse([]).config;
    expect(other.id).not.toBe(inv.config.id);
    expect(other.nick).toBe(other.id.slice(0, 8));
  });

  it('parses chat with global flags before and after the subcommand', () => {
    const inv = parse(['--id', 'p1', '--announce-interval', '100', 'chat', '#room', '--server', 's1', '--json', '--discovery-port', '40000', '--no-host']);
    expect(inv).toMatchObject({ mode: 'chat', channel: '#room', server: 's1', json: true, invite: [] });
    expect(parse(['chat', '@p', '--invite', 'b,c'])).toMatchObject({ invite: ['b', 'c'] });
    expect(inv.config).toMatchObject({ id: 'p1', nick: 'p1', announceIntervalMs: 100, discoveryPort: 40_000, host: false });
  });

  it('waits two announce intervals in lobby mode unless told otherwise', () => {
    const lobby = parse(['--announce-interval', '300', 'lobby']);
    expect(lobby).toMatchObject({ mode: 'lobby', waitMs: 600, json: false });
    // Only listening: never a standby.
    expect(lobby.config.host).toBe(false);
    expect(parse(['--port', '50000']).config.port).toBe(50_000);
    expect(parse(['lobby', '--json', '--wait', '50'])).toMatchObject({ waitMs: 50, json: true });
  });

  it('reads every setting from IMS_* environment variables', () => {
    const env = {
      IMS_NICK: 'envy',
      IMS_ID: 'e1',
      IMS_INTERFACE: 'eth0',
      IMS_DISCOVERY_PORT: '40001',
      IMS_ANNOUNCE_INTERVAL: '1s',
      IMS_HOST: 'false',
      IMS_PORT: '50001',
      IMS_LOG_LEVEL: 'debug',
      IMS_JOIN_TIMEOUT: '250ms',
      IMS_STANDBY_WAIT: '3s',
      IMS_HISTORY_QUIET: '400ms',
    };
    expect(parse(['chat', '#a'], env).config).toEqual({
      nick: 'envy',
      id: 'e1',
      interface: 'eth0',
      discoveryPort: 40_001,
      announceIntervalMs: 1_000,
      host: false,
      port: 50_001,
      logLevel: 'debug',
      joinTimeoutMs: 250,
      standbyWaitMs: 3_000,
      historyQuietMs: 400,
    });
  });

  it('layers file < env < flags (--config or IMS_CONFIG), --no-host included', () => {
    const file = join(dir, 'peer.json');
    writeFileSync(file, JSON.stringify({ nick: 'filed', port: 50_002, joinTimeout: 700, host: false, logLevel: 'info' }));
    const inv = parse(['--config', file, '--port', '50004'], { IMS_PORT: '50003', IMS_JOIN_TIMEOUT: '800' });
    expect(inv.config).toMatchObject({ nick: 'filed', port: 50_004, joinTimeoutMs: 800, host: false, logLevel: 'info' });
    expect(parse(['lobby'], { IMS_CONFIG: file }).config).toMatchObject({ nick: 'filed', port: 50_002 });
    // A file or env may turn hosting off; a flag wins over both, and an absent --no-host changes nothing.
    expect(parse([], { IMS_HOST: 'true' }).config.host).toBe(true);
    expect(parse(['--config', file], { IMS_HOST: 'yes' }).config.host).toBe(true);
    expect(parse(['--no-host'], { IMS_HOST: 'true' }).config.host).toBe(false);
    expect(parse(['chat', '#a', '--config', file]).config.host).toBe(false);
  });

  it('refuses unknown keys and unreadable files in the config file', () => {
    const file = join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify({ nickname: 'x' }));
    expect(thrown(() => parse(['--config', file]))).toMatchObject({ code: 'CONFIG_UNKNOWN_KEY', key: 'nickname' });
    expect(thrown(() => parse(['--config', join(dir, 'missing.json')]))).toMatchObject({ code: 'CONFIG_FILE_UNREADABLE' });
  });

  it.each([
    [['--announce-interval', 'fast'], 'announceInterval'],
    [['--announce-interval', '5'], 'announceInterval'],
    [['--join-timeout', '700000'], 'joinTimeout'],
    [['--port', '70000'], 'port'],
    [['--port', '8080'], 'port'],
    [['--discovery-port', '0'], 'discoveryPort'],
    [['--interface', '10.0.0.300'], 'interface'],
    [['--interface', 'bad name!'], 'interface'],
    [['--log-level', 'loud'], 'logLevel'],
    [['--nick', 'a b'], 'nick'],
    [['--nick', ''], 'nick'],
    [['--id', 'has space'], 'id'],
    [['--id', 'x'.repeat(MAX_CONFIGURED_PEER_ID_LENGTH + 1)], 'id'],
  ])('rejects %j with a ConfigError naming the key (exit 2 in main)', (argv, key) => {
    const err = thrown(() => parse(argv));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code: 'CONFIG_INVALID_VALUE', key, source: 'flag' });
    expect((err as Error).message).toContain(`flag ${argv[0] ?? ''}`);
  });

  it('names the env variable or the file of a bad value', () => {
    expect(thrown(() => parse(['lobby'], { IMS_DISCOVERY_PORT: 'x' }))).toMatchObject({ key: 'discoveryPort', source: 'env', message: expect.stringContaining('env IMS_DISCOVERY_PORT') as unknown });
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ id: 'two words' }));
    expect(thrown(() => parse(['--config', file]))).toMatchObject({ key: 'id', source: 'file', message: expect.stringContaining(file) as unknown });
  });

  it('accepts the longest configured peer ID', () => {
    const longest = 'x'.repeat(MAX_CONFIGURED_PEER_ID_LENGTH);
    expect(parse(['--id', longest]).config).toMatchObject({ id: longest, nick: 'xxxxxxxx' });
    expect(parse(['chat', '@p', '--invite', longest])).toMatchObject({ invite: [longest] });
  });

  it.each([
    [['chat', 'room']],
    [['chat', '#']],
    [['chat']],
    [['bogus']],
    [['--nope']],
    [['chat', '@p', '--invite', ',']],
    [['chat', '@p', '--invite', 'a b']],
    [['chat', '@p', '--invite', 'x'.repeat(MAX_CONFIGURED_PEER_ID_LENGTH + 1)]],
    [['lobby', '--wait', 'soon']],
  ])('rejects %j with a usage error (exit 2)', (argv) => {
    const err = thrown(() => parse(argv));
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ code: 'USAGE', exitCode: EXIT.USAGE });
  });

  it('reports --help as HELP with exit 0 and lists every key with its default and env name', () => {
    let out = '';
    const err = thrown(() => parseInvocation(['--help'], { out: (t) => (out += t), err: () => undefined }, {}));
    expect(err).toMatchObject({ code: 'HELP', exitCode: EXIT.OK });
    const help = out.replace(/\s+/g, ' ');
    expect(help).toContain('--config <file>');
    expect(help).toContain('[env IMS_CONFIG]');
    for (const row of describeConfig(PEER_CONFIG_SPEC)) {
      const flag = row.default === true ? `--no-${row.flag.slice(2)}` : row.flag;
      const from = help.slice(help.indexOf(`${flag} `));
      expect(help).toContain(`${flag} `);
      expect(from.slice(0, from.indexOf('[env'))).toContain(row.default === undefined ? '(default: ' : `(default: ${JSON.stringify(row.default)}`);
      expect(from).toContain(`[env ${row.env}]`);
    }
  });
});
