/**
 * `npm run server -- [flags]`: the channel server in the foreground. Thin shell (CONTRIBUTING.md §1):
 * argv → config → logger → adapters → host service → signals. JSON log lines go to stderr; the
 * first `listening` line carries the endpoint and peer ID (netsim parses it).
 */
import './netsim-clock.js';
import { ConfigError, createLogger, netsimHold, type Logger } from '@ims/app-kit';
import { SecureError, reloadSecureMode } from '@ims/secure';
import { EXIT, UsageError, parseServerConfig, type ServerConfig } from './config.js';
import { ServerIdError } from './server-id.js';
import { startServer, type RunningServer } from './server.js';
import { startPrimary } from './workers/primary.js';

/** What main needs of a server: one process, or the primary of `--workers N`. */
type Running = Pick<RunningServer, 'id' | 'endpoint' | 'httpPort' | 'stop'>;

function fail(logger: Logger, event: string, err: unknown, exitCode: number): never {
  logger.error(event, { err, code: (err as { code?: unknown }).code, exitCode });
  process.exit(exitCode);
}

function loadConfigOrExit(): ServerConfig {
  try {
    return parseServerConfig(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) process.exit(err.exitCode);
    if (err instanceof ConfigError || err instanceof SecureError) {
      process.stderr.write(`channel-server: ${err.message}\n`);
      process.exit(EXIT.USAGE);
    }
    if (err instanceof ServerIdError) {
      process.stderr.write(`channel-server: ${err.message} (${String(err.cause ?? 'give --id')})\n`);
      process.exit(EXIT.STARTUP);
    }
    throw err;
  }
}

/** Stop on SIGTERM/SIGINT within `shutdownTimeout` (exit 0), else exit 1; a second signal exits 1 at once. */
function handleSignals(server: Running, config: ServerConfig, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn('shutdown.forced', { signal });
      process.exit(EXIT.INTERNAL);
    }
    stopping = true;
    logger.info('shutdown', { signal, timeoutMs: config.shutdownTimeout });
    const deadline = setTimeout(() => {
      logger.error('shutdown.timeout', { timeoutMs: config.shutdownTimeout });
      process.exit(EXIT.INTERNAL);
    }, config.shutdownTimeout);
    server.stop().then(
      () => {
        clearTimeout(deadline);
        logger.info('stopped', { id: server.id });
        process.exit(EXIT.OK);
      },
      (err: unknown) => fail(logger, 'shutdown.failed', err, EXIT.INTERNAL),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // A daemon's reload signal (systemctl reload): never the default action, which would end the server.
  process.on('SIGHUP', () => reloadKeys(config, logger));
}

/**
 * SIGHUP in secure mode: read the key file and the peer lists again (a rotation step, a revocation;
 * docs/security.md). New connections and PDUs use them; a bad file changes nothing and is logged.
 */
function reloadKeys(config: ServerConfig, logger: Logger): void {
  if (config.secure === undefined || config.networkKeyFile === undefined) {
    logger.info('reload.nothing', { note: 'plain mode: SIGHUP reloads the key file and peer lists of secure mode only; restart to change other settings' });
    return;
  }
  try {
    const keyIds = reloadSecureMode(config.secure, {
      networkKeyFile: config.networkKeyFile,
      identityFile: config.identityFile,
      allowPeersFile: config.allowPeersFile,
      revokedPeersFile: config.revokedPeersFile,
    });
    logger.info('secure.reloaded', { keyIds, note: 'new connections and PDUs use them; open connections stay' });
  } catch (err) {
    logger.error('secure.reload_failed', { code: (err as { code?: unknown }).code, err, note: 'nothing changed: fix the file and send SIGHUP again' });
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel, base: { app: 'channel-server', serverId: config.id } });
  // Last resort: a bug must not leave a half-working server behind; netsim checks survivors take over.
  process.on('uncaughtException', (err) => fail(logger, 'uncaught_exception', err, EXIT.INTERNAL));
  process.on('unhandledRejection', (err) => fail(logger, 'unhandled_rejection', err, EXIT.INTERNAL));
  let server: Running;
  try {
    server = config.workers > 1 ? await startPrimary(config, logger) : await startServer(config, logger);
  } catch (err) {
    fail(logger, 'startup_failed', err, EXIT.STARTUP);
  }
  handleSignals(server, config, logger);
  // Always written (whatever --log-level): netsim and scripts wait for this line.
  process.stderr.write(
    JSON.stringify({ ts: new Date().toISOString(), level: 'info', event: 'listening', id: server.id, ...server.endpoint, httpPort: server.httpPort }) +
      '\n',
  );
}

await netsimHold();
await main();
