/**
 * One worker process of a `--workers N` server (README "Workers"): its own host service, fed by the
 * sockets the primary hands over (adoptingTransport) and by discovery through the primary (the
 * peer table in, announcements and invitations out), on its share of the box's history store.
 */
import type { Socket } from 'node:net';
import { cpuUsage } from 'node:process';
import { BehaviorSubject } from 'rxjs';
import type { Logger } from '@ims/app-kit';
import { startHostService, type HostDiscovery, type HostService } from '@ims/host-service';
import { adoptingTransport, type Connection } from '@ims/transport';
import { hostLimitsOf, openStore } from '../server.js';
import type { FromWorker, PeerEntry, ToWorker } from './ipc-messages.js';
import { homeWorker } from './routing.js';
import { workerStore } from './worker-store.js';

/** ms between two reports of the channels hosted away from their home worker, while there may be any. */
const STRAY_CHECK_MS = 250;

/** What a worker needs from its process: send to the primary. */
export interface WorkerChannel {
  send(msg: FromWorker): void;
}

/** A running worker. */
export interface WorkerHost {
  /** Handles one message of the primary (the socket of a `conn`). */
  handle(msg: ToWorker, socket: Socket | undefined): void;
  /** Graceful stop: the host service stops (members closed, posts flushed), then the store closes. */
  stop(): Promise<void>;
}

/** Starts the host service of worker `init.index`; resolves once it serves. */
export async function startWorkerHost(init: Extract<ToWorker, { t: 'init' }>, channel: WorkerChannel, logger: Logger): Promise<WorkerHost> {
  const { config, index, workers, endpoint } = init;
  const opened = openStore(config, logger);
  const store = workerStore(opened.store, index, workers);
  const peers$ = new BehaviorSubject<readonly PeerEntry[]>([]);
  const discovery: HostDiscovery = {
    peers$,
    setServer: (server) => channel.send({ t: 'setServer', channels: server?.channels }),
    invite: (ch, ids) => channel.send({ t: 'invite', channel: ch, ids }),
  };
  const unrouted = new Set<Connection<unknown>>();
  const transport = adoptingTransport({
    endpoint,
    onReleased: (conn) => {
      unrouted.delete(conn);
      channel.send({ t: 'released', address: conn.remoteAddress });
    },
  });
  let host: HostService;
  try {
    host = await startHostService({ peerId: config.id, discovery, listen: endpoint, store, logger, limits: hostLimitsOf(config), transport });
  } catch (err) {
    await store.close();
    throw err;
  }
  const strays = new StrayReport(host, index, workers, channel, () => unrouted.size > 0);
  channel.send({ t: 'ready' });
  let stopping: Promise<void> | undefined;
  return {
    handle(msg, socket) {
      switch (msg.t) {
        case 'peers':
          return peers$.next(msg.peers);
        case 'conn': {
          if (socket === undefined) return;
          const conn = transport.adopt(socket, msg.head);
          if (!msg.routed && conn !== undefined) {
            unrouted.add(conn);
            strays.watch();
          }
          return;
        }
        case 'stats':
          return channel.send({
            t: 'stats',
            req: msg.req,
            sample: {
              host: host.stats(),
              history: opened.sqlite && { written: opened.sqlite.written, pending: opened.sqlite.pendingCount, failedCommits: opened.sqlite.failedCommits },
              cpuUs: cpuUsage().user + cpuUsage().system,
              rssBytes: process.memoryUsage.rss(),
            },
          });
        default:
          return;
      }
    },
    stop: () =>
      (stopping ??= (async () => {
        strays.stop();
        await host.stop();
        await store.close();
      })()),
  };
}

/**
 * Reports the channels this worker hosts away from their home (a JOIN after another first frame
 * lands in worker 0, routing.ts): while a connection that came without a JOIN is open, or any
 * such channel lives, every STRAY_CHECK_MS; so the primary routes later JOINs of them here.
 */
class StrayReport {
  private timer: NodeJS.Timeout | undefined;
  private last = '';

  constructor(
    private readonly host: HostService,
    private readonly index: number,
    private readonly workers: number,
    private readonly channel: WorkerChannel,
    private readonly unroutedOpen: () => boolean,
  ) {}

  watch(): void {
    this.timer ??= setInterval(() => this.check(), STRAY_CHECK_MS);
  }

  private check(): void {
    const away = this.host
      .snapshot()
      .channels.map((c) => c.name)
      .filter((name) => homeWorker(name, this.workers) !== this.index);
    const key = away.join('\n');
    if (key !== this.last) this.channel.send({ t: 'strays', channels: away });
    this.last = key;
    if (away.length === 0 && !this.unroutedOpen()) this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
