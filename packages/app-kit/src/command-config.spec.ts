import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkedString } from './checked-string.js';
import { addConfigOptions, loadCommandConfig } from './command-config.js';
import { ConfigError } from './config-error.js';
import { field } from './fields.js';
import type { ConfigOf } from './load-config.js';

const spec = {
  nick: checkedString(undefined, (s) => !s.includes(' '), { expected: 'a word', doc: 'nickname (default: the ID)' }),
  port: field.port(0, { allowZero: true, doc: 'TCP port' }),
  tags: field.list([], { doc: 'tags' }),
  host: field.bool(true, { doc: 'run the host' }),
  verbose: field.bool(false, { doc: 'say more' }),
};

/** A program with the spec's options and a `sub` command; returns the config of what ran. */
function run(argv: string[], env: Record<string, string> = {}): ConfigOf<typeof spec> {
  let config: ConfigOf<typeof spec> | undefined;
  const program = addConfigOptions(new Command('app').exitOverride(), spec, { placeholders: { nick: 'name' } });
  program.action(() => {
    config = loadCommandConfig(program, spec, { env });
  });
  program.command('sub').action((_opts: unknown, cmd: Command) => {
    config = loadCommandConfig(cmd, spec, { env });
  });
  program.parse(argv, { from: 'user' });
  if (!config) throw new Error('no action ran');
  return config;
}

describe('addConfigOptions and loadCommandConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ims-kit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the defaults when nothing is given (a --no-x switch not given does not count as a flag)', () => {
    expect(run([])).toEqual({ nick: undefined, port: 0, tags: [], host: true, verbose: false });
    expect(run([], { IMS_HOST: 'false', IMS_VERBOSE: 'on' })).toMatchObject({ host: false, verbose: true });
  });

  it('layers file < env < flags, with flags before or after a subcommand', () => {
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ port: 1000, tags: ['a'], nick: 'filed', host: false }));
    expect(run(['--config', file], { IMS_PORT: '2000' })).toMatchObject({ port: 2000, tags: ['a'], nick: 'filed', host: false });
    expect(run(['sub', '--port', '3000', '--config', file], { IMS_PORT: '2000', IMS_CONFIG: 'ignored.json' })).toMatchObject({ port: 3000, nick: 'filed' });
    expect(run(['--no-host', '--verbose', 'sub'], { IMS_HOST: 'true' })).toMatchObject({ host: false, verbose: true });
    expect(run([], { IMS_CONFIG: file })).toMatchObject({ port: 1000 });
  });

  it('names the key and the source of a bad value', () => {
    expect(() => run(['--nick', 'a b'])).toThrow(ConfigError);
    expect(() => run(['--nick', 'a b'])).toThrow(/'nick' \(from flag --nick\): expected a word/);
    expect(() => run([], { IMS_PORT: 'x' })).toThrow(/'port' \(from env IMS_PORT\)/);
  });

  it('describes each option with its doc, default and env name', () => {
    const help = addConfigOptions(new Command('app'), spec, { placeholders: { nick: 'name' } }).helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain('--config <file> JSON file of settings, keyed like the IMS_* names in camelCase [env IMS_CONFIG]');
    expect(help).toContain('--nick <name> nickname (default: the ID) [env IMS_NICK]');
    expect(help).toContain('--port <value> TCP port (default: 0) [env IMS_PORT]');
    expect(help).toContain('--tags <value> tags (default: none) [env IMS_TAGS]');
    expect(help).toContain('--no-host run the host (default: true; --no-host turns it off) [env IMS_HOST]');
    expect(help).toContain('--verbose say more (default: false) [env IMS_VERBOSE]');
  });
});

describe('checkedString', () => {
  it('accepts a non-empty string the check passes, with or without a default', () => {
    const f = checkedString('x', (s) => s.startsWith('#'), { expected: 'a channel' });
    expect([f.parse('#a'), f.parse('a'), f.parse(''), f.parse(7), f.default, f.expected]).toEqual(['#a', undefined, undefined, undefined, 'x', 'a channel']);
    expect(checkedString(undefined, () => true, { expected: 'any' }).default).toBeUndefined();
  });
});
