import { describe, expect, it } from 'vitest';
import { EXIT, parseInvocation, UsageError } from './config.js';

const quiet = { out: () => undefined, err: () => undefined };

describe('parseInvocation', () => {
  it('defaults to the interactive mode on loopback with the protocol defaults', () => {
    const inv = parseInvocation(['--nick', 'alice'], quiet);
    expect(inv.mode).toBe('interactive');
    expect(inv.config).toMatchObject({
      nick: 'alice',
      interface: '127.0.0.1',
      discoveryPort: 55_555,
      announceIntervalMs: 2_000,
      host: true,
      port: 0,
      logLevel: 'warn',
      joinTimeoutMs: 5_000,
    });
    expect(inv.config.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.isFrozen(inv.config)).toBe(true);
  });

  it('parses chat with global flags before and after the subcommand', () => {
    const inv = parseInvocation(
      ['--id', 'p1', '--announce-interval', '100', 'chat', '#room', '--server', 's1', '--json', '--discovery-port', '40000', '--no-host'],
      quiet,
    );
    expect(inv).toMatchObject({ mode: 'chat', channel: '#room', server: 's1', json: true, invite: [] });
    expect(parseInvocation(['chat', '@p', '--invite', 'b,c'], quiet)).toMatchObject({ invite: ['b', 'c'] });
    expect(inv.config).toMatchObject({ id: 'p1', nick: 'p1', announceIntervalMs: 100, discoveryPort: 40_000, host: false });
  });

  it('waits two announce intervals in lobby mode unless told otherwise', () => {
    const lobby = parseInvocation(['--announce-interval', '300', 'lobby'], quiet);
    expect(lobby).toMatchObject({ mode: 'lobby', waitMs: 600, json: false });
    // Only listening: never a standby.
    expect(lobby.config.host).toBe(false);
    expect(parseInvocation(['--port', '50000'], quiet).config.port).toBe(50_000);
    expect(parseInvocation(['lobby', '--json', '--wait', '50'], quiet)).toMatchObject({ waitMs: 50, json: true });
  });

  it.each([
    [['--announce-interval', 'fast']],
    [['--port', '70000']],
    [['--port', '8080']],
    [['--interface', '10.0.0.300']],
    [['--interface', 'bad name!']],
    [['--log-level', 'loud']],
    [['chat', 'room']],
    [['chat']],
    [['--nick', 'a b']],
    [['--id', 'has space']],
    [['bogus']],
    [['chat', '@p', '--invite', ',']],
    [['chat', '@p', '--invite', 'a b']],
  ])('rejects %j with a usage error (exit 2)', (argv) => {
    try {
      parseInvocation(argv, quiet);
      expect.unreachable('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).code).toBe('USAGE');
      expect((err as UsageError).exitCode).toBe(EXIT.USAGE);
    }
  });

  it('reports --help as HELP with exit 0 and prints every flag', () => {
    let out = '';
    try {
      parseInvocation(['--help'], { out: (t) => (out += t), err: () => undefined });
      expect.unreachable('should have thrown');
    } catch (err) {
      expect((err as UsageError).code).toBe('HELP');
      expect((err as UsageError).exitCode).toBe(0);
    }
    for (const flag of ['--join-timeout', '--nick', '--id', '--interface', '--discovery-port', '--announce-interval', '--no-host', '--port', '--log-level']) {
      expect(out).toContain(flag);
    }
  });
});
