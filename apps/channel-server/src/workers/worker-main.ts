/**
 * Entry of a worker process, forked by the primary of `--workers N` (worker-pool.ts): waits for
 * `init`, serves, and stops on `stop` or when the primary is gone. Exit codes as main.ts.
 */
import type { Socket } from 'node:net';
import { createLogger, type Logger } from '@ims/app-kit';
import { EXIT } from '../config.js';
import type { FromWorker, ToWorker } from './ipc-messages.js';
import { startWorkerHost, type WorkerHost } from './worker-host.js';

function send(msg: FromWorker, done?: () => void): void {
  if (process.connected) process.send?.(msg, undefined, {}, () => done?.());
  else done?.();
}

function fail(logger: Logger | undefined, event: string, err: unknown): never {
  if (logger) logger.error(event, { err, code: (err as { code?: unknown }).code });
  else process.stderr.write(`channel-server worker: ${event}: ${String(err)}\n`);
  process.exit(EXIT.INTERNAL);
}

let logger: Logger | undefined;
let worker: WorkerHost | undefined;
let starting: Promise<void> | undefined;
const early: [ToWorker, Socket | undefined][] = [];

/** Graceful stop, then `stopped` and exit 0 (the primary's shutdown deadline covers a hang). */
function stop(): void {
  void (async () => {
    await starting;
    await worker?.stop();
    send({ t: 'stopped' }, () => process.exit(EXIT.OK));
  })().catch((err: unknown) => fail(logger, 'worker.stop_failed', err));
}

process.on('uncaughtException', (err) => fail(logger, 'uncaught_exception', err));
process.on('unhandledRejection', (err) => fail(logger, 'unhandled_rejection', err));
// The primary handles signals for the box: a Ctrl-C, or systemd's SIGTERM to the whole control
// group, reaches the workers too, and the primary's `stop` is what stops them, in order.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => {
  if (!process.connected) stop();
});
// Orphaned (the primary was killed): stop like a SIGTERM, the members reconnect elsewhere.
process.on('disconnect', stop);
process.on('message', (msg: ToWorker, socket: Socket | undefined) => {
  if (msg.t === 'init' && starting === undefined) {
    logger = createLogger({ level: msg.config.logLevel, base: { app: 'channel-server', serverId: msg.config.id, worker: msg.index } });
    const l = logger;
    starting = startWorkerHost(msg, { send: (m) => send(m) }, l).then(
      (w) => {
        worker = w;
        for (const [m, s] of early.splice(0)) w.handle(m, s);
      },
      (err: unknown) => fail(l, 'worker.startup_failed', err),
    );
  } else if (msg.t === 'stop') {
    stop();
  } else if (worker) {
    worker.handle(msg, socket);
  } else {
    early.push([msg, socket]);
  }
});
