/**
 * Command line → frozen, validated configuration (defaults ← flags). Pure apart from commander's
 * own help/version output, which goes through the `output` hooks so tests can capture it.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { DEFAULT_ANNOUNCE_INTERVAL_MS, DISCOVERY_PORT, SERVER_PORT_MAX, SERVER_PORT_MIN } from '@ims/codec';
import { UsageError, type CliOutput } from '@ims/app-kit';

/** Exit codes of the peer-client (documented in the README). */
export const EXIT = {
  /** Normal end: /quit, EOF on stdin, SIGINT/SIGTERM. */
  OK: 0,
  /** Unexpected internal error (a bug): logged on stderr. */
  INTERNAL: 1,
  /** Bad command line or configuration. */
  USAGE: 2,
  /** `chat`: the channel could not be joined, or was lost (no host reachable). */
  CHANNEL_LOST: 3,
  /** Sockets could not be opened (multicast or TCP listener). */
  NETWORK: 4,
} as const;

/** Log levels accepted by `--log-level`. */
export const LOG_LEVEL_NAMES = ['debug', 'info', 'warn', 'error', 'silent'] as const;
/** One of {@link LOG_LEVEL_NAMES}. */
export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];

/** Settings shared by every mode. */
export interface PeerConfig {
  /** This peer's ID. @default a random UUID */
  readonly id: string;
  /** Nickname announced in CLIENT_NICK. @default the first 8 characters of the ID */
  readonly nick: string;
  /** Interface multicast goes out of (IPv4 address or name). @default '127.0.0.1' (loopback only) */
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
  readonly logLevel: LogLevelName;
  /** ms a join waits for a named server to show up in the lobby (it may still be starting). @default 5000 */
  readonly joinTimeoutMs: number;
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

// Shared with the other app: the CLI error and output types live in @ims/app-kit.
export { UsageError, type CliOutput };

// docs/protocol.md §1: peer IDs are ASCII without NUL; we also refuse spaces/control bytes so IDs print.
const ID_RE = /^[\x21-\x7e]{1,64}$/;
const CHANNEL_RE = /^[#@][\x21-\x7e]+$/;

/** Parses argv (without node and script) into an {@link Invocation}; throws {@link UsageError}. */
export function parseInvocation(argv: readonly string[], output?: CliOutput): Invocation {
  let result: Invocation | undefined;
  const program = buildProgram((inv) => (result = inv), output);
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

function buildProgram(done: (inv: Invocation) => void, output?: CliOutput): Command {
  const program = new Command('peer-client')
    .description('ims chat peer: interactive chat (default), `lobby` snapshot, or scriptable `chat`')
    .addOption(new Option('--nick <name>', 'nickname announced to other peers (default: start of the ID)'))
    .addOption(new Option('--id <peerId>', 'peer ID (default: random UUID)').argParser(parseId))
    .addOption(new Option('--interface <addr|name>', 'interface for multicast: IPv4 address or name').default('127.0.0.1').argParser(parseInterface))
    .addOption(new Option('--discovery-port <port>', 'UDP port of discovery').default(DISCOVERY_PORT).argParser(parsePort(1)))
    .addOption(
      new Option('--announce-interval <ms>', 'milliseconds between PeerPDUs').default(DEFAULT_ANNOUNCE_INTERVAL_MS).argParser(parseInterval),
    )
    .addOption(new Option('--no-host', 'do not run the embedded host (cannot be standby)'))
    .addOption(new Option('--port <port>', 'TCP port of the embedded host: 49152-65535, or 0 for any free one').default(0).argParser(parseServerPort))
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(LOG_LEVEL_NAMES).default('warn'))
    .addOption(new Option('--join-timeout <ms>', 'how long a join waits for a named server to appear').default(5_000).argParser(parseInterval))
    .exitOverride()
    .showHelpAfterError()
    .allowExcessArguments(false);
  if (output) program.configureOutput({ writeOut: output.out, writeErr: output.err });
  program.action(() => done({ mode: 'interactive', config: toConfig(program.opts()) }));
  program
    .command('lobby')
    .description('print who is online, servers and their channels, and invitations, then exit')
    .option('--json', 'one JSON object instead of text')
    .addOption(new Option('--wait <ms>', 'how long to listen first (default: 2 announce intervals)').argParser(parseInterval))
    .action((opts: { json?: boolean; wait?: number }, cmd: Command) => {
      // A lobby snapshot only listens: no embedded host, so it is never picked as a standby.
      const config = Object.freeze({ ...toConfig(cmd.optsWithGlobals()), host: false });
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
      const config = toConfig(cmd.optsWithGlobals());
      const server = opts.server ? { server: opts.server } : {};
      done({ mode: 'chat', config, channel, ...server, json: opts.json === true, invite: opts.invite ?? [] });
    });
  for (const sub of program.commands) {
    sub.exitOverride();
    if (output) sub.configureOutput({ writeOut: output.out, writeErr: output.err });
  }
  return program;
}

function toConfig(o: Record<string, unknown>): PeerConfig {
  const id = typeof o['id'] === 'string' ? o['id'] : randomUUID();
  const nick = typeof o['nick'] === 'string' ? o['nick'] : id.slice(0, 8);
  if (nick.length === 0 || nick.includes('\0') || /\s/.test(nick)) {
    throw new UsageError('USAGE', `invalid --nick ${JSON.stringify(nick)}: no spaces or NUL`, EXIT.USAGE);
  }
  return Object.freeze({
    id,
    nick,
    interface: o['interface'] as string,
    discoveryPort: o['discoveryPort'] as number,
    announceIntervalMs: o['announceInterval'] as number,
    host: o['host'] !== false,
    port: o['port'] as number,
    logLevel: o['logLevel'] as LogLevelName,
    joinTimeoutMs: o['joinTimeout'] as number,
  });
}

function parseId(v: string): string {
  if (!ID_RE.test(v)) throw new InvalidArgumentError('printable ASCII, 1-64 characters, no spaces');
  return v;
}

function parseIdList(v: string): string[] {
  const ids = v.split(',').filter((id) => id.length > 0);
  if (ids.length === 0) throw new InvalidArgumentError('one or more peer IDs, comma-separated');
  return ids.map(parseId);
}

function parseInterface(v: string): string {
  const parts = v.split('.');
  const ipv4 = parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
  const name = /^[A-Za-z][\w.-]{0,31}$/.test(v);
  if (!ipv4 && !name) throw new InvalidArgumentError('an IPv4 address such as 127.0.0.1, or an interface name such as eth0');
  return v;
}

function parsePort(min: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > 65_535) throw new InvalidArgumentError(`a port number ${min}-65535`);
    return n;
  };
}

// The draft §2: a server listens on a port in 49152–65535.
function parseServerPort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || (n !== 0 && (n < SERVER_PORT_MIN || n > SERVER_PORT_MAX))) {
    throw new InvalidArgumentError(`0, or a port number ${SERVER_PORT_MIN}-${SERVER_PORT_MAX}`);
  }
  return n;
}

function parseInterval(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 10 || n > 600_000) throw new InvalidArgumentError('milliseconds, 10-600000');
  return n;
}

function parseChannel(v: string): string {
  if (!CHANNEL_RE.test(v)) throw new InvalidArgumentError("a channel name: '#' or '@' then printable ASCII");
  return v;
}
