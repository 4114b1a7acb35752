/**
 * One worker process of a `--workers N` server (README "Workers"): its own host service, fed by the
 * sockets the primary hands over (adoptingTransport) and by discovery through the primary (the
 * peer table in, announcements and invitations out), on its share of the box's history store.
 */
import type { Socket } from 'node:net';
import { cpuUsage } from 'node:process';
import { BehaviorSubject } from 'rxjs';
import type { Logger } from '@ims/app-kit';
import { startHostService, type HostDiscovery, type HostService, type HostStats } from '@ims/host-service';
import { adoptingTransport, type FrameScreen } from '@ims/transport';
import { historyCounters, hostLimitsOf, openStore } from '../server.js';
import type { FromWorker, PeerEntry, ToWorker } from './ipc-messages.js';
import { homeWorker } from './routing.js';
import { workerStore } from './worker-store.js';

/** The refusal of a JOIN that came after another first frame, for a channel at home in another worker (docs/protocol.md §6.2: NOT_ACCEPTING, try again). */
export const WRONG_WORKER = 'NOT_ACCEPTING: join this channel on a new connection, JOIN as its first frame';

/** The host's stats with the screen's refusals counted as NOT_ACCEPTING. */
function withRefusals(stats: HostStats, wrongWorker: number): HostStats {
  if (wrongWorker === 0) return stats;
  return { ...stats, errors: { ...stats.errors, NOT_ACCEPTING: (stats.errors['NOT_ACCEPTING'] ?? 0) + wrongWorker } };
}

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
  const opened = openStore(config, logger, index);
  await opened.sqlite?.ready();
  const store = workerStore(opened.store, index, workers);
  const peers$ = new BehaviorSubject<readonly PeerEntry[]>([]);
  const discovery: HostDiscovery = {
    peers$,
    setServer: (server) => channel.send({ t: 'setServer', channels: server?.channels }),
    invite: (ch, ids) => channel.send({ t: 'invite', channel: ch, ids }),
  };
  const transport = adoptingTransport({ endpoint, onReleased: (conn) => channel.send({ t: 'released', address: conn.remoteAddress }) });
  // A connection that came without a JOIN may JOIN only a channel at home here: one that lives in
  // another worker would be split in two. Refused, the client joins again on a new connection,
  // JOIN first, which the primary routes home (README "Workers").
  let wrongWorker = 0;
  const screen: FrameScreen = (f) => {
    if (!f.ok || (f.value as { cmd?: unknown }).cmd !== 'JOIN') return undefined;
    const ch = (f.value as { channel?: unknown }).channel;
    if (typeof ch !== 'string' || homeWorker(ch, workers) === index) return null;
    wrongWorker++;
    return WRONG_WORKER;
  };
  let host: HostService;
  try {
    host = await startHostService({ peerId: config.id, discovery, listen: endpoint, store, logger, limits: hostLimitsOf(config), transport });
  } catch (err) {
    await store.close();
    throw err;
  }
  channel.send({ t: 'ready' });
  let stopping: Promise<void> | undefined;
  return {
    handle(msg, socket) {
      switch (msg.t) {
        case 'peers':
          return peers$.next(msg.peers);
        case 'conn': {
          if (socket !== undefined) transport.adopt(socket, msg.head, msg.routed ? undefined : screen);
          return;
        }
        case 'stats':
          return channel.send({
            t: 'stats',
            req: msg.req,
            sample: {
              host: withRefusals(host.stats(), wrongWorker),
              history: opened.sqlite && historyCounters(opened.sqlite),
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
        await host.stop();
        await store.close();
      })()),
  };
}
