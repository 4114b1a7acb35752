/**
 * The channel server's configuration: one spec (key → typed field with default) drives the
 * commander flags, the IMS_* environment names, the JSON config file keys and the README table.
 * Precedence: defaults ← `--config` file ← environment ← flags.
 */
import { Command, CommanderError } from 'commander';
import {
  DEFAULT_ANNOUNCE_INTERVAL_MS,
  DISCOVERY_PORT,
  isValidConfiguredPeerId,
  MAX_CONFIGURED_PEER_ID_LENGTH,
  SERVER_PORT_MAX,
  SERVER_PORT_MIN,
} from '@ims/codec';
import { DEFAULT_HOST_LIMITS as L } from '@ims/host-service';
import {
  addConfigOptions,
  checkedString,
  ConfigError,
  field,
  loadCommandConfig,
  LOG_LEVELS,
  SECURE_CONFIG_SPEC,
  UsageError,
  type CliOutput,
  type ConfigField,
  type ConfigOf,
  type LogLevel,
} from '@ims/app-kit';
import { loadSecureMode, type SecureMode } from '@ims/secure';
import { join } from 'node:path';
import { defaultServerId } from './server-id.js';

/** Exit codes of the channel server (README "Exit codes"). */
export const EXIT = {
  /** Clean stop (SIGTERM/SIGINT, history flushed) or `--help`. */
  OK: 0,
  /** Shutdown passed its deadline, or an unexpected internal error (logged). */
  INTERNAL: 1,
  /** Bad flag, environment value or config file. */
  USAGE: 2,
  /** A socket or the data directory could not be opened. */
  STARTUP: 3,
} as const;

const IPV4_RE = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

/** An optional port (no default: the feature is off unless set). */
function optionalPort(doc: string): ConfigField<number | undefined> {
  const inner = field.port(0, { allowZero: true });
  return { default: undefined, expected: inner.expected, doc, parse: inner.parse };
}

/** Every configuration key of the server, with its default and documentation (host limits default to the host service's table). */
export const SERVER_CONFIG_SPEC = {
  port: field.port(0, {
    allowZero: true,
    min: SERVER_PORT_MIN,
    max: SERVER_PORT_MAX,
    doc: 'TCP port of the channel host (the draft: 49152-65535); 0 picks a free one in that range',
  }),
  bind: field.string('127.0.0.1', { pattern: IPV4_RE, expected: 'an IPv4 address', doc: 'address the TCP listener binds to' }),
  interface: field.string('127.0.0.1', {
    pattern: IPV4_RE,
    expected: 'an IPv4 address',
    doc: 'IPv4 address of the interface discovery multicasts on (loopback unless set)',
  }),
  discoveryPort: field.port(DISCOVERY_PORT, { doc: 'UDP port of the discovery group (tests and netsim use private ones)' }),
  // docs/protocol.md §1: visible ASCII, so IDs print in logs; codec's cap on IDs we configure.
  id: checkedString(undefined, isValidConfiguredPeerId, {
    expected: `a peer ID (1-${MAX_CONFIGURED_PEER_ID_LENGTH} visible ASCII characters, no spaces)`,
    doc: 'peer ID announced in PeerPDUs (default: the one kept in --data-dir, else a random UUID)',
  }),
  // docs/protocol.md §3.7: announced as CLIENT_NICK without CLIENT_MEMBERSHIP, which tells a named server from a client.
  name: checkedString(undefined, (v) => /^[^\s\0]{1,64}$/u.test(v), { expected: 'a name of 1-64 characters without spaces', doc: 'human name announced in PeerPDUs (as CLIENT_NICK, never with CLIENT_MEMBERSHIP); clients show it and accept it for --server (default: none)',
  }),
  dataDir: field.optionalString({ doc: 'directory of the SQLite history (default: history kept in memory only)' }),
  announceInterval: field.duration(DEFAULT_ANNOUNCE_INTERVAL_MS, { min: 10, max: 600_000, doc: 'ms between two PeerPDUs' }),
  httpPort: optionalPort('port of the /healthz and /metrics HTTP endpoint on 127.0.0.1 (default: off)'),
  logLevel: field.oneOf<LogLevel>('info', LOG_LEVELS, { doc: 'minimum level of the JSON log lines on stderr' }),
  standbyFor: field.list([], { doc: 'back up the public channels of these server IDs (comma-separated), or "all"' }),
  maxFrameBytes: field.bytes(L.maxFrameBytes, { min: 64, max: 16 * 1024 * 1024, doc: 'largest frame body accepted' }),
  maxConnections: field.int(L.maxConnections, { min: 1, doc: 'open TCP connections in total' }),
  maxConnectionsPerIp: field.int(L.maxConnectionsPerIp, { min: 1, doc: 'open TCP connections from one IP address (a client uses one per channel)' }),
  maxChannels: field.int(L.maxChannels, { min: 1, doc: 'live channels hosted at once' }),
  maxMembersPerChannel: field.int(L.maxMembersPerChannel, { min: 1, doc: 'members of one channel' }),
  maxInviteIds: field.int(L.maxInviteIds, { min: 1, doc: 'peer IDs one INVITE may name; more are refused whole (TOO_MANY_INVITEES)' }),
  invitesPerSecond: field.int(L.invitesPerSecond, { min: 1, doc: 'INVITEs per second one connection may have multicast (SERVER_INVITE), in bursts of as many; more are refused (INVITE_RATE)' }),
  maxAdmittedPerChannel: field.int(L.maxAdmittedPerChannel, { min: 1, doc: 'peer IDs admitted to one private channel (creator plus invited); more are refused (ADMISSION_FULL)' }),
  maxPrivateChannels: field.int(L.maxPrivateChannels, { min: 1, doc: 'private channels whose admission list is kept (never evicted); beyond, new private channels are refused (TOO_MANY_CHANNELS)' }),
  hostInvitesPerSecond: field.int(L.hostInvitesPerSecond, { min: 1, doc: 'INVITEs per second the whole server may multicast (all connections together); more are refused (INVITE_RATE)' }),
  replaceCheck: field.duration(L.replaceCheckMs, { min: 1, doc: 'ms a JOIN claiming the ID of a member on a live connection waits for that connection to fail a check before it is refused (ID_IN_USE)' }),
  channelCreationsPerSecond: field.int(L.channelCreationsPerSecond, { min: 1, doc: 'channels one remote address may create per second after its burst; more are refused (CREATE_RATE)' }),
  privateCreationsPerHour: field.int(L.privateCreationsPerHour, { min: 1, doc: 'private channels one remote address may create per hour after its burst (their admission lists are kept for good); more are refused (CREATE_RATE)' }),
  privateCreationBurst: field.int(L.privateCreationBurst, { min: 1, doc: 'private channels one remote address may create at once' }),
  channelCreationBurst: field.int(L.channelCreationBurst, { min: 0, doc: 'channels one remote address may create at once (0 = no creation limit)' }),
  historyPerChannel: field.int(L.historyLimit, { min: 0, doc: 'posts kept per channel and sent to a new member' }),
  floodRate: field.int(L.floodRate, { min: 1, doc: 'sustained frames per second per connection; more are dropped' }),
  floodBurst: field.int(L.floodBurst, { min: 1, doc: 'frames one connection may send in a burst' }),
  floodMaxDropped: field.int(L.floodMaxDropped, { min: 1, doc: 'frames dropped in a row for flooding before the connection is closed' }),
  floodRatePerIp: field.int(L.floodRatePerIp, { min: 1, doc: 'sustained frames per second from one IP address, all its connections together; over it a connection is held back (paused 20 ms, doubling to 320 ms), nothing refused' }),
  floodBurstPerIp: field.int(L.floodBurstPerIp, { min: 1, doc: 'frames one IP address may send in a burst, all its connections together' }),
  connectionRatePerIp: field.int(L.connectionRatePerIp, { min: 1, doc: 'new TCP connections accepted per second from one IP address after its burst; more are refused (CONNECTION_RATE_PER_IP)' }),
  connectionBurstPerIp: field.int(L.connectionBurstPerIp, { min: 1, doc: 'new TCP connections one IP address may open at once' }),
  fanoutRatePerChannel: field.int(L.fanoutRatePerChannel, { min: 1, doc: 'deliveries per second one channel may cost (a post to 200 members is 200); over it the posting connection is held back (paused 20 ms, doubling to 320 ms), nothing refused' }),
  fanoutBurstPerChannel: field.int(L.fanoutBurstPerChannel, { min: 1, doc: 'deliveries one channel may make in a burst' }),
  idleTimeout: field.duration(L.idleTimeoutMs, { min: 0, doc: 'ms allowed for the first frame and for any started frame to complete (0 = no limit)' }),
  sendQueueBytes: field.bytes(L.maxSendQueueBytes, { min: 1024, doc: 'unsent bytes queued to one slow member before it is dropped' }),
  closeTimeout: field.duration(L.closeTimeoutMs, { min: 0, doc: 'ms a closing connection may take to send what is queued before it is destroyed' }),
  shutdownTimeout: field.duration(5_000, { min: 100, doc: 'ms a graceful shutdown may take before exiting 1' }),
  workers: field.int(1, { min: 1, max: 64, doc: 'worker processes hosting the channels (README "Workers"); 1 = one process, as before; not with --standby-for nor in secure mode' }),
  ...SECURE_CONFIG_SPEC,
} as const;

/** Name of the identity file inside `--data-dir` (secure mode). */
export const IDENTITY_FILE = 'identity.key';

/** The loaded, validated and frozen configuration; `id` is always set; `secure` in secure mode (docs/security.md). */
export type ServerConfig = Omit<ConfigOf<typeof SERVER_CONFIG_SPEC>, 'id'> & { readonly id: string; readonly secure?: SecureMode };

// Shared with the other app: the CLI error and output types live in @ims/app-kit.
export { UsageError, type CliOutput };

/** The commander program: one flag per config key, its env name and default in the description. */
export function buildProgram(output?: CliOutput): Command {
  const program = new Command('channel-server')
    .description('ims channel server: a dedicated box hosting many channels (JSON logs on stderr)')
    .exitOverride()
    .allowExcessArguments(false);
  addConfigOptions(program, SERVER_CONFIG_SPEC);
  if (output) program.configureOutput({ writeOut: output.out, writeErr: output.err });
  return program;
}

/** argv (without node and script) + environment → frozen config. Throws UsageError, ConfigError or ServerIdError. */
export function parseServerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  output?: CliOutput,
): ServerConfig {
  const program = buildProgram(output);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      const help = err.code === 'commander.helpDisplayed' || err.code === 'commander.help';
      throw new UsageError(help ? 'HELP' : 'USAGE', err.message, help ? EXIT.OK : EXIT.USAGE);
    }
    throw err;
  }
  const loaded = loadCommandConfig(program, SERVER_CONFIG_SPEC, { env });
  // A replica hosts what it takes over in the process that follows; workers host in other processes (README "Workers").
  if (loaded.workers > 1 && loaded.standbyFor.length > 0) {
    throw new ConfigError('CONFIG_INVALID_VALUE', `--workers ${loaded.workers} cannot be combined with --standby-for: run the standby replica as its own server with --workers 1`, 'workers');
  }
  if (loaded.networkKeyFile === undefined) return Object.freeze({ ...loaded, id: loaded.id ?? defaultServerId(loaded.dataDir) });
  return Object.freeze(withSecureMode(loaded, loaded.networkKeyFile));
}

/**
 * Secure mode: the peer ID is the identity's (docs/security.md), kept in `--identity-file`, else
 * in `--data-dir`, else fresh for this run. Throws ConfigError for what secure mode cannot do yet,
 * SecureError for a bad file.
 */
function withSecureMode(loaded: ConfigOf<typeof SERVER_CONFIG_SPEC>, networkKeyFile: string): ServerConfig {
  if (loaded.id !== undefined) {
    throw new ConfigError('CONFIG_INVALID_VALUE', 'secure mode derives the peer ID from the identity key: drop --id (IMS_ID), or run in plain mode without --network-key-file', 'id');
  }
  // The primary hands a socket to a worker after reading its first frame, which TLS hides from it.
  if (loaded.workers > 1) {
    throw new ConfigError('CONFIG_INVALID_VALUE', `--workers ${loaded.workers} is not available in secure mode yet: run --workers 1, or several servers`, 'workers');
  }
  const identityFile = loaded.identityFile ?? (loaded.dataDir === undefined ? undefined : join(loaded.dataDir, IDENTITY_FILE));
  const secure = loadSecureMode({
    networkKeyFile,
    identityFile,
    allowPeersFile: loaded.allowPeersFile,
    revokedPeersFile: loaded.revokedPeersFile,
    replayWindowMs: loaded.replayWindow,
  });
  return { ...loaded, id: secure.identity.peerId, secure };
}
