/**
 * peer-client entry point: argv → config → logger → peer node → front-end (interactive, lobby or
 * chat) → exit code. Signals and last-resort errors are handled here and nowhere else.
 */
import './netsim-clock.js';
import { ConfigError, createLogger, netsimHold, type Logger } from '@ims/app-kit';
import { SecureError, loadOrCreateIdentity } from '@ims/secure';
import { runKeygen } from './keygen.js';
import { EXIT, parseCommandLine, UsageError, type Invocation, type KeyCommand } from './config.js';
import { runInteractive } from './interactive.js';
import { runChat } from './json-chat.js';
import { runLobby } from './lobby-mode.js';
import { startPeerNode } from './node-runtime.js';
import type { PeerNode } from './peer-node.js';
import { lineIo } from './terminal.js';

/** ms a shutdown (EXIT to every host, closing sockets) may take before the process exits 1. */
const SHUTDOWN_DEADLINE_MS = 3_000;

async function main(): Promise<number> {
  let parsed: Invocation | KeyCommand;
  try {
    parsed = parseCommandLine(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) return err.exitCode;
    if (err instanceof ConfigError || err instanceof SecureError) {
      // As the channel server: the message names the key, where the value came from and the fix.
      process.stderr.write(`peer-client: ${err.message}\n`);
      return EXIT.USAGE;
    }
    throw err;
  }
  if (parsed.mode === 'keygen' || parsed.mode === 'id') return runKeyCommand(parsed);
  const invocation = parsed;
  const { config } = invocation;
  const logger = createLogger({ level: config.logLevel, base: { app: 'peer-client', peer: config.id } });
  installLastResort(logger);
  let node: PeerNode;
  try {
    node = await startPeerNode({ config, logger });
  } catch (err) {
    logger.error('startup_failed', { error: err });
    process.stderr.write(`peer-client: cannot open sockets: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.NETWORK;
  }
  const io = lineIo(process.stdin, process.stdout, invocation.mode === 'interactive');
  const write = io.print;
  const stopping = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      logger.info('signal', { signal });
      const deadline = setTimeout(() => resolve(EXIT.INTERNAL), SHUTDOWN_DEADLINE_MS);
      deadline.unref();
      void node.close().then(() => resolve(EXIT.OK));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  const run = (): Promise<number> => {
    switch (invocation.mode) {
      case 'lobby':
        return runLobby({ node, waitMs: invocation.waitMs, json: invocation.json, write });
      case 'chat':
        return runChat({
          node,
          channel: invocation.channel,
          ...(invocation.server !== undefined ? { server: invocation.server } : {}),
          lines$: io.lines$,
          write,
          json: invocation.json,
          invite: invocation.invite,
        });
      case 'interactive':
        return runInteractive({ node, lines$: io.lines$, print: write, onCurrent: (c) => io.setCurrent(c), eraseTyped: (l) => io.eraseTyped(l) });
    }
  };
  // docs/protocol.md §2.7: stdout going away (EPIPE) ends the process like EOF, with EXIT everywhere.
  const outputGone = io.gone.then((error) => {
    logger.info('stdout_gone', { error });
    return EXIT.OK;
  });
  const code = await Promise.race([run(), stopping, outputGone]);
  await Promise.race([node.close(), new Promise((r) => setTimeout(r, SHUTDOWN_DEADLINE_MS).unref())]);
  return code;
}

/** `keygen` and `id`: files only, no sockets. */
function runKeyCommand(invocation: KeyCommand): number {
  try {
    if (invocation.mode === 'id') {
      process.stdout.write(`${loadOrCreateIdentity(invocation.identityFile).peerId}\n`);
    } else {
      process.stderr.write(`${runKeygen(invocation.file, invocation.step).message}\n`);
    }
    return EXIT.OK;
  } catch (err) {
    process.stderr.write(`peer-client: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.USAGE;
  }
}

function installLastResort(logger: Logger): void {
  // A bug must not leave a half-dead peer behind: log it and exit non-zero (CONTRIBUTING.md §4).
  process.on('uncaughtException', (error) => {
    logger.error('uncaught_exception', { error, stack: error.stack });
    process.exit(EXIT.INTERNAL);
  });
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled_rejection', { error: reason });
    process.exit(EXIT.INTERNAL);
  });
}

netsimHold().then(main).then(
  (code) => {
    // Let stdout drain before exiting: netsim reads the last JSON line (`left`). A stdout that went
    // away (EPIPE) drains nothing: exit at once.
    if (process.stdout.destroyed || !process.stdout.writable) process.exit(code);
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`peer-client: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT.INTERNAL);
  },
);
