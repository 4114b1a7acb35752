/**
 * The peer-client's command line and configuration: one spec (key → typed field with default)
 * drives the shared flags, the IMS_* environment names, the JSON config file keys and the README
 * table, as in the channel server. Precedence: defaults ← `--config` file ← environment ← flags.
 * Pure apart from commander's help output, which goes through the `output` hooks.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_ANNOUNCE_INTERVAL_MS,
  DISCOVERY_PORT,
  isValidConfiguredPeerId,
  MAX_CONFIGURED_PEER_ID_LENGTH,
  SERVER_PORT_MAX,
  SERVER_PORT_MIN,
} from '@ims/codec';
import {
  addConfigOptions,
  checkedString,
  field,
  loadCommandConfig,
  LOG_LEVELS,
  SECURE_CONFIG_SPEC,
  ConfigError,
  UsageError,
  type CliOutput,
  type ConfigOf,
  type LogLevel,
} from '@ims/app-kit';
import { loadSecureMode, type SecureMode } from '@ims/secure';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { channelProblem } from './chat-command.js';

/** Exit codes of the peer-client (documented in the README). */
export const EXIT = {
  /** Normal end: /quit, EOF on stdin, SIGINT/SIGTERM. */
  OK: 0,
  /** Unexpected internal error (a bug): logged on stderr. */
  INTERNAL: 1,
  /** Bad command line, environment value or config file. */
  USAGE: 2,
  /** `chat`: the channel could not be joined, or was lost (no host reachable). */
  CHANNEL_LOST: 3,
  /** Sockets could not be opened (multicast or TCP listener). */
  NETWORK: 4,
} as const;

/** Settings shared by every mode. */
export interface PeerConfig {
  /** This peer's ID. @default a random UUID */
  readonly id: string;
  /** Nickname announced in CLIENT_NICK. @default the first 8 characters of the ID */
  readonly nick: string;
  /** Interface multicast goes out of, and the source address of our TCP channel connections (IPv4 address or name). @default '127.0.0.1' (loopback only) */
  readonly interface: string;
  /** Discovery UDP port (tests and netsim use private ones). @default 55555 */
  readonly discoveryPort: number;
  /** Milliseconds between two PeerPDUs. @default 2000 */
  readonly announceIntervalMs: number;
  /** Run the embedded host (announce SERVER_OPTION, can be standby). @default true */
  readonly host: boolean;
  /** TCP port of the embedded host; 0 picks a free one in 49152–65535. @default 0 */
  readonly port: number;
  /** Minimum level of the JSON log lines on stderr. @default 'warn' */
  readonly logLevel: LogLevel;
  /** ms a join waits for a named server to show up in the lobby (it may still be starting). @default 5000 */
  readonly joinTimeoutMs: number;
  /** ms a JOIN waits for the server's first frame before it counts as joined without STANDBY (docs/protocol.md §7.7). @default 10000 */
  readonly standbyWaitMs: number;
  /** ms of quiet after a history SAY after which a server without STANDBY is taken as done with its history (docs/protocol.md §7.7). @default 1500 */
  readonly historyQuietMs: number;
  /** Folder of the per-channel chat logs (`<channel>.log`). @default undefined (no log) */
  readonly logDir?: string;
  /** Secure mode (docs/security.md): keys, identity, policy; `id` is then the identity's. @default plain mode */
  readonly secure?: SecureMode;
}

/** What to run, with its configuration. */
export type Invocation =
  | { readonly mode: 'interactive'; readonly config: PeerConfig }
  | { readonly mode: 'lobby'; readonly config: PeerConfig; readonly json: boolean; readonly waitMs: number }
  | {
      readonly mode: 'chat';
      readonly config: PeerConfig;
      readonly channel: string;
      readonly server?: string;
      readonly json: boolean;
      /** Peer IDs to INVITE once joined (`--invite`). */
      readonly invite: readonly string[];
    };

/** The commands that only touch secure mode's files: no sockets, no peer config. */
export type KeyCommand = { readonly mode: 'keygen'; readonly file: string; readonly step: KeygenStep } | { readonly mode: 'id'; readonly identityFile: string };

/** What `keygen` does to a key file: make it, or one step of a rotation (docs/security.md "Rotating the key"). */
export type KeygenStep = 'new' | 'next' | 'promote' | 'retire';

// Shared with the other app: the CLI error and output types live in @ims/app-kit.
export { UsageError, type CliOutput };

// docs/protocol.md §1: visible ASCII, so IDs print; codec's cap on IDs we configure.
const PEER_ID_EXPECTED = `a peer ID (1-${MAX_CONFIGURED_PEER_ID_LENGTH} visible ASCII characters, no spaces)`;
const IPV4_PART = /^\d{1,3}$/;
const INTERFACE_NAME = /^[A-Za-z][\w.-]{0,31}$/;
// The longest ms value of `--announce-interval`, `--join-timeout` and `--wait` (10 minutes).
const MAX_INTERVAL_MS = 600_000;

/** CLIENT_NICK travels NUL-terminated (docs/protocol.md §3); no spaces, so it prints as one word. */
function isNick(value: string): boolean {
  return !value.includes('\0') && !/\s/.test(value);
}

/** An IPv4 address such as 127.0.0.1, or an interface name such as eth0. */
function isInterface(value: string): boolean {
  const parts = value.split('.');
  return (parts.length === 4 && parts.every((p) => IPV4_PART.test(p) && Number(p) <= 255)) || INTERFACE_NAME.test(value);
}

/** Every shared setting of the peer-client (before or after the subcommand), with its default and documentation. */
export const PEER_CONFIG_SPEC = {
  nick: checkedString(undefined, isNick, {
    expected: 'a nickname without spaces or NUL',
    doc: 'nickname announced in CLIENT_NICK (default: the first 8 characters of the ID)',
  }),
  id: checkedString(undefined, isValidConfiguredPeerId, { expected: PEER_ID_EXPECTED, doc: "this peer's ID (default: a random UUID)" }),
  interface: checkedString('127.0.0.1', isInterface, {
    expected: 'an IPv4 address such as 127.0.0.1, or an interface name such as eth0',
    doc: 'interface multicast goes out of, and the source address of our channel connections: IPv4 address or name (loopback unless set)',
  }),
  discoveryPort: field.port(DISCOVERY_PORT, { doc: 'UDP port of the discovery group (tests and netsim use private ones)' }),
  announceInterval: field.duration(DEFAULT_ANNOUNCE_INTERVAL_MS, { min: 10, max: MAX_INTERVAL_MS, doc: 'ms between two PeerPDUs' }),
  host: field.bool(true, { doc: 'run the embedded host, so this peer can be a standby and create channels' }),
  port: field.port(0, {
    allowZero: true,
    min: SERVER_PORT_MIN,
    max: SERVER_PORT_MAX,
    doc: 'TCP port of the embedded host (the draft: 49152-65535); 0 picks a free one in that range',
  }),
  logLevel: field.oneOf<LogLevel>('warn', LOG_LEVELS, { doc: `minimum level of the JSON log lines on stderr: ${LOG_LEVELS.join(', ')}` }),
  joinTimeout: field.duration(5_000, { min: 10, max: MAX_INTERVAL_MS, doc: 'ms a join waits for a named server to appear in the lobby' }),
  standbyWait: field.duration(10_000, { min: 10, max: MAX_INTERVAL_MS, doc: 'ms a JOIN waits for the server to answer at all before it counts as joined without STANDBY (servers of other implementations)' }),
  historyQuiet: field.duration(1_500, { min: 10, max: MAX_INTERVAL_MS, doc: 'ms of quiet after a history post after which a server that sends no STANDBY is taken as done with its history' }),
  logDir: field.optionalString({ doc: 'folder of a chat log per channel (<channel>.log: posts, history, notices, as shown); off unless set' }),
  ...SECURE_CONFIG_SPEC,
} as const;

/** The identity file when `--identity-file` is not given: `$XDG_CONFIG_HOME/ims/identity.key`, else `~/.config/ims/identity.key`. */
export function defaultIdentityFile(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), '.config');
  return join(base, 'ims', 'identity.key');
}

const PLACEHOLDERS = {
  nick: 'name',
  id: 'peerId',
  interface: 'addr|name',
  discoveryPort: 'port',
  announceInterval: 'ms',
  port: 'port',
  logLevel: 'level',
  joinTimeout: 'ms',
  standbyWait: 'ms',
  historyQuiet: 'ms',
  logDir: 'dir',
  networkKeyFile: 'file',
  identityFile: 'file',
  allowPeersFile: 'file',
  revokedPeersFile: 'file',
  replayWindow: 'ms',
} as const;

/**
 * Parses argv (without node and script) into an {@link Invocation}, reading `IMS_*` from `env`.
 * Throws {@link UsageError} (bad command line, `--help`) or ConfigError (a bad value of a setting).
 */
export function parseInvocation(
  argv: readonly string[],
  output?: CliOutput,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Invocation {
  const parsed = parseCommandLine(argv, output, env);
  if (parsed.mode === 'keygen' || parsed.mode === 'id') throw new UsageError('USAGE', `${parsed.mode} runs no peer`, EXIT.USAGE);
  return parsed;
}

/** As {@link parseInvocation}, with the key commands (`keygen`, `id`) too: what main runs. */
export function parseCommandLine(
  argv: readonly string[],
  output?: CliOutput,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Invocation | KeyCommand {
  let result: Invocation | KeyCommand | undefined;
  const program = buildProgram((inv) => (result = inv), env, output);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      const help = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
      throw new UsageError(help ? 'HELP' : 'USAGE', err.message, help ? EXIT.OK : EXIT.USAGE);
    }
    throw err;
  }
  if (!result) throw new UsageError('USAGE', 'no command', EXIT.USAGE);
  return result;
}

function buildProgram(done: (inv: Invocation | KeyCommand) => void, env: Readonly<Record<string, string | undefined>>, output?: CliOutput): Command {
  const program = new Command('peer-client')
    .description('ims chat peer: interactive chat (default), `lobby` snapshot, or scriptable `chat`')
    .exitOverride()
    .showHelpAfterError()
    .allowExcessArguments(false);
  addConfigOptions(program, PEER_CONFIG_SPEC, { placeholders: PLACEHOLDERS });
  if (output) program.configureOutput({ writeOut: output.out, writeErr: output.err });
  const configOf = (cmd: Command): PeerConfig => toPeerConfig(loadCommandConfig(cmd, PEER_CONFIG_SPEC, { env }), env);
  program.action(() => done({ mode: 'interactive', config: configOf(program) }));
  program
    .command('lobby')
    .description('print who is online, servers and their channels, and invitations, then exit')
    .option('--json', 'one JSON object instead of text')
    .addOption(new Option('--wait <ms>', 'how long to listen first (default: 2 announce intervals)').argParser(parseInterval))
    .action((opts: { json?: boolean; wait?: number }, cmd: Command) => {
      // A lobby snapshot only listens: no embedded host, so it is never picked as a standby.
      const config = Object.freeze({ ...configOf(cmd), host: false });
      done({ mode: 'lobby', config, json: opts.json === true, waitMs: opts.wait ?? 2 * config.announceIntervalMs });
    });
  program
    .command('chat')
    .description('join one channel; print events, post stdin lines; EOF leaves')
    .argument('<channel>', 'channel name (#public or @private)', parseChannel)
    .option('--server <id>', 'peer ID (or nick) of the host to join on')
    .option('--json', 'print every event as one JSON line (the netsim contract)')
    .addOption(new Option('--invite <ids>', 'comma-separated peer IDs to invite once joined (admits them to a private channel)').argParser(parseIdList))
    .action((channel: string, opts: { server?: string; json?: boolean; invite?: string[] }, cmd: Command) => {
      const server = opts.server ? { server: opts.server } : {};
      done({ mode: 'chat', config: configOf(cmd), channel, ...server, json: opts.json === true, invite: opts.invite ?? [] });
    });
  program
    .command('keygen')
    .description('secure mode: write a new network key file (mode 0600), or take one step of a key rotation')
    .argument('<file>', 'the key file')
    .addOption(new Option('--next', 'rotation step 1: add a new key as the second line (accepted, not yet used)').conflicts(['promote', 'retire']))
    .addOption(new Option('--promote', 'rotation step 2: make the second key the first (used from now on)').conflicts(['retire']))
    .option('--retire', 'rotation step 3: drop every key but the first')
    .action((file: string, opts: { next?: boolean; promote?: boolean; retire?: boolean }) => {
      const step: KeygenStep = opts.next ? 'next' : opts.promote ? 'promote' : opts.retire ? 'retire' : 'new';
      done({ mode: 'keygen', file, step });
    });
  program
    .command('id')
    .description("secure mode: print this peer's ID (the identity file's, made if missing), for allow-lists and invitations")
    .action((_opts: unknown, cmd: Command) => {
      const c = loadCommandConfig(cmd, PEER_CONFIG_SPEC, { env });
      done({ mode: 'id', identityFile: c.identityFile ?? defaultIdentityFile(env) });
    });
  for (const sub of program.commands) {
    sub.exitOverride();
    if (output) sub.configureOutput({ writeOut: output.out, writeErr: output.err });
  }
  return program;
}

function toPeerConfig(c: ConfigOf<typeof PEER_CONFIG_SPEC>, env: Readonly<Record<string, string | undefined>>): PeerConfig {
  const secure = secureModeOf(c, env);
  const id = secure?.identity.peerId ?? c.id ?? randomUUID();
  return Object.freeze({
    id,
    nick: c.nick ?? id.slice(0, 8),
    interface: c.interface,
    discoveryPort: c.discoveryPort,
    announceIntervalMs: c.announceInterval,
    host: c.host,
    port: c.port,
    logLevel: c.logLevel,
    joinTimeoutMs: c.joinTimeout,
    standbyWaitMs: c.standbyWait,
    historyQuietMs: c.historyQuiet,
    ...(c.logDir !== undefined ? { logDir: c.logDir } : {}),
    ...(secure ? { secure } : {}),
  });
}

/** Secure mode when `--network-key-file` is set: the peer ID is then the identity's (docs/security.md). */
function secureModeOf(c: ConfigOf<typeof PEER_CONFIG_SPEC>, env: Readonly<Record<string, string | undefined>>): SecureMode | undefined {
  if (c.networkKeyFile === undefined) return undefined;
  if (c.id !== undefined) {
    throw new ConfigError('CONFIG_INVALID_VALUE', 'secure mode derives the peer ID from the identity key: drop --id (IMS_ID), or give another --identity-file for a second peer on this machine', 'id');
  }
  return loadSecureMode({
    networkKeyFile: c.networkKeyFile,
    identityFile: c.identityFile ?? defaultIdentityFile(env),
    allowPeersFile: c.allowPeersFile,
    revokedPeersFile: c.revokedPeersFile,
    replayWindowMs: c.replayWindow,
  });
}

function parseIdList(v: string): string[] {
  const ids = v.split(',').filter((id) => id.length > 0);
  if (ids.length === 0) throw new InvalidArgumentError('one or more peer IDs, comma-separated');
  for (const id of ids) if (!isValidConfiguredPeerId(id)) throw new InvalidArgumentError(`${JSON.stringify(id)} is not ${PEER_ID_EXPECTED}`);
  return ids;
}

function parseInterval(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 10 || n > MAX_INTERVAL_MS) throw new InvalidArgumentError(`milliseconds, 10-${MAX_INTERVAL_MS}`);
  return n;
}

function parseChannel(v: string): string {
  const problem = channelProblem(v);
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  return v;
}
