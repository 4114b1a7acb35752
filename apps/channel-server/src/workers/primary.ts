/**
 * The primary process of `--workers N` (README "Workers"): one discovery announcer for the box,
 * the TCP port (connection caps for the box, first frame read here), the ops HTTP endpoint, and N
 * worker processes that host the channels. A connection goes to the worker its first frame routes
 * to (routing.ts) with the bytes read so far; the workers' public channels are announced as one
 * host on the primary's port.
 */
import { encodeFrame, serverSideDecoder, type ClientCommand } from '@ims/codec';
import type { DirectInviteSender, Discovery } from '@ims/discovery';
import { hostDiscovery } from '@ims/host-service';
import type { Logger } from '@ims/app-kit';
import { acceptForHandoff, type HandoffAcceptor } from '@ims/transport';
import type { ServerConfig } from '../config.js';
import { renderMetrics } from '../metrics/metrics.js';
import { startOpsHttpServer, type HealthBody, type OpsHttpServer } from '../metrics/ops-http-server.js';
import { openDiscovery, openStore, privateInviteSender } from '../server.js';
import { aggregateHistory, aggregateHostStats, type WorkerSample } from './aggregate.js';
import type { FromWorker, PeerEntry } from './ipc-messages.js';
import { routeConnection } from './routing.js';
import { renderWorkerMetrics } from './worker-metrics.js';
import { WorkerPool } from './worker-pool.js';

/** A running primary (what main.ts needs of a server). */
export interface RunningPrimary {
  readonly id: string;
  readonly endpoint: { readonly address: string; readonly port: number };
  readonly httpPort: number | undefined;
  /** Graceful stop: refuse new connections, stop every worker (members closed, posts flushed), stop discovery. */
  stop(): Promise<void>;
}

/** Discovery's peers as plain data for the IPC channel (only the fields the host reads). */
function peerEntries(peers: readonly PeerEntry[]): PeerEntry[] {
  return peers.map((p) => ({ id: p.id, address: p.address, nick: p.nick, server: p.server && { address: p.server.address, port: p.server.port }, channels: [...p.channels], isDedicatedServer: p.isDedicatedServer, state: p.state }));
}

/** What the primary keeps of its workers' reports: the public channels each wants announced. */
class WorkerReports {
  private readonly announced = new Map<number, readonly string[]>();

  /** Applies a `setServer` report. */
  apply(index: number, msg: Extract<FromWorker, { t: 'setServer' }>): void {
    if (msg.channels === undefined) this.announced.delete(index);
    else this.announced.set(index, msg.channels);
  }

  /** Worker `index` is gone: none of its channels is announced any more. */
  lost(index: number): void {
    this.announced.delete(index);
  }

  /** The box's announcement: undefined until a worker hosts, else the union of their public channels. */
  union(): readonly string[] | undefined {
    if (this.announced.size === 0) return undefined;
    return [...new Set([...this.announced.values()].flat())].sort();
  }
}

/** The box's port: the caps of host-limits.ts for the whole box, the first frame read here (routing.ts). */
function openAcceptor(config: ServerConfig, logger: Logger): Promise<HandoffAcceptor<ClientCommand>> {
  return acceptForHandoff<ClientCommand>({
    address: config.bind,
    port: config.port,
    decoder: () => serverSideDecoder({ maxFrameBytes: config.maxFrameBytes }),
    maxConnections: config.maxConnections,
    maxConnectionsPerIp: config.maxConnectionsPerIp,
    connectionRatePerIp: config.connectionRatePerIp,
    connectionBurstPerIp: config.connectionBurstPerIp,
    closeTimeoutMs: config.closeTimeout,
    refusalFrame: (reason) => encodeFrame({ cmd: 'ERROR', reason }),
    // The slowloris clock of the first frame runs here (the worker's runs again only for later frames).
    firstFrameTimeoutMs: config.idleTimeout,
    logger,
  });
}

/** What the ops endpoint reads of a primary. */
interface OpsParts {
  readonly config: ServerConfig;
  readonly discovery: Discovery;
  readonly acceptor: HandoffAcceptor<ClientCommand>;
  readonly pool: WorkerPool;
  /** Refusals of the acceptor by code (they never reach a worker). */
  readonly refusals: Readonly<Record<string, number>>;
  readonly started: number;
  readonly stopping: () => boolean;
}

/** `/metrics` and `/healthz` of the box: the workers asked over IPC at each scrape, their answers aggregated (aggregate.ts). */
function opsBodies(o: OpsParts): { metrics: () => Promise<string>; health: () => Promise<HealthBody> } {
  const metrics = async (): Promise<string> => {
    const got = await o.pool.stats();
    const present = got.filter((s): s is WorkerSample => s !== undefined);
    const ds = o.discovery.stats();
    const body = renderMetrics({
      host: aggregateHostStats(present.map((s) => s.host), o.refusals),
      ...(o.config.dataDir === undefined ? {} : { history: aggregateHistory(present) ?? { written: 0, pending: 0, failedCommits: 0, unimported: 0, failedImports: 0 } }),
      peers: ds.peers,
      discovery: ds,
      localHealth: { lagMs: ds.lagMs, stalledMs: ds.stalledMs, healthMultiplier: ds.healthMultiplier },
      uptimeSeconds: (Date.now() - o.started) / 1000,
      rssBytes: process.memoryUsage.rss() + present.reduce((n, s) => n + s.rssBytes, 0),
    });
    return body + renderWorkerMetrics(o.pool.info(), got);
  };
  const health = async (): Promise<HealthBody> => {
    const got = await o.pool.stats();
    const workers = o.pool.info();
    const channels = got.reduce((n, s) => n + (s?.host.channels ?? 0), 0);
    return { ok: !o.stopping() && workers.every((w) => w.ready), id: o.config.id, port: o.acceptor.port, channels, workers };
  };
  return { metrics, health };
}

/** Opens discovery, the port and the workers; on failure closes what was opened and rethrows. */
export async function startPrimary(config: ServerConfig, logger: Logger): Promise<RunningPrimary> {
  const started = Date.now();
  // Once here: creates the data directory and the schema, prunes, logs where history goes; the workers then share the file.
  // Closed synchronously: awaiting the checkpointer thread (unref'd) with nothing else on the loop would end the process.
  const first = openStore(config, logger);
  if (first.sqlite) first.sqlite.closeNow();
  else await first.store.close();
  const refusals: Record<string, number> = {};
  const reports = new WorkerReports();
  let discovery: Discovery | undefined;
  let acceptor: HandoffAcceptor<ClientCommand> | undefined;
  let inviter: DirectInviteSender | undefined;
  let http: OpsHttpServer | undefined;
  let pool: WorkerPool | undefined;
  let peers: PeerEntry[] = [];
  let stopping = false;
  try {
    const d = (discovery = await openDiscovery(config, logger));
    // The workers' invitations: public ones multicast, private ones delivered by TCP (docs/protocol.md §3.8).
    const invites = (inviter = privateInviteSender(config, logger));
    const router = hostDiscovery(d, { privateInvites: invites });
    const a = (acceptor = await openAcceptor(config, logger));
    const endpoint = { address: a.address, port: a.port };
    const announce = (): void => {
      const channels = reports.union();
      router.setServer(channels === undefined ? undefined : { port: a.port, channels });
    };
    const p = (pool = new WorkerPool({
      workers: config.workers,
      init: (index) => ({ t: 'init', index, workers: config.workers, config, endpoint }),
      logger,
      onReady: (index) => {
        logger.info('worker.ready', { worker: index });
        p.broadcast({ t: 'peers', peers });
      },
      onLost: (index, addresses) => {
        for (const address of addresses) a.release(address);
        reports.lost(index);
        announce();
      },
      onDropped: (address) => a.release(address),
      onMessage: (index, msg) => {
        if (msg.t === 'released') a.release(msg.address);
        else if (msg.t === 'invite') router.invite(msg.channel, msg.ids);
        else if (msg.t === 'setServer') {
          reports.apply(index, msg);
          announce();
        }
      },
    }));
    a.refused$.subscribe((r) => (refusals[r.code] = (refusals[r.code] ?? 0) + 1));
    a.handed$.subscribe((h) => {
      if (h.first === undefined) {
        // No frame within --idle-timeout: dropped as one process drops it (IDLE_TIMEOUT, no ERROR frame).
        h.socket.destroy();
        a.release(h.address);
        refusals['IDLE_TIMEOUT'] = (refusals['IDLE_TIMEOUT'] ?? 0) + 1;
        return;
      }
      const routed = h.first?.ok === true && h.first.value.cmd === 'JOIN';
      p.hand(routeConnection(h.first, config.workers), h.socket, h.head, routed, h.address);
    });
    d.lobby$.subscribe((lobby) => {
      peers = peerEntries(lobby.peers);
      p.broadcast({ t: 'peers', peers });
    });
    await p.start();
    logger.info('workers.serving', { workers: config.workers, address: endpoint.address, port: endpoint.port });
    if (config.httpPort !== undefined) {
      http = await startOpsHttpServer({ port: config.httpPort, ...opsBodies({ config, discovery: d, acceptor: a, pool: p, refusals, started, stopping: () => stopping }) });
      logger.info('http.listening', { address: '127.0.0.1', port: http.port });
    }
    const ops = http;
    let stopped: Promise<void> | undefined;
    const stop = async (): Promise<void> => {
      stopping = true;
      // Port first: reconnects are refused at once, so members take the fast failover path (docs/protocol.md §5).
      await a.close();
      await p.stop();
      d.setServer(undefined);
      inviter?.close();
      d.close();
      await ops?.close();
    };
    return { id: config.id, endpoint, httpPort: ops?.port, stop: () => (stopped ??= stop()) };
  } catch (err) {
    await acceptor?.close();
    await pool?.stop();
    inviter?.close();
    discovery?.close();
    await http?.close();
    throw err;
  }
}
