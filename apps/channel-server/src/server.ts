/**
 * The channel server's adapters wired together: history store → discovery on UDP → host service on
 * TCP → optional ops HTTP endpoint. `startServer` opens them in that order and `stop` closes them
 * in reverse, so no post accepted before the stop is lost.
 */
import { lostHostExpiryFor } from '@ims/channel-core';
import { createDirectInviteSender, discover, interfaceAddress, udpPort, type DirectInviteSender, type Discovery } from '@ims/discovery';
import type { Logger } from '@ims/app-kit';
import { hostDiscovery, memoryHistoryStore, startHostService, tapOwnHost, type HistoryStore, type HostLimits, type HostService } from '@ims/host-service';
import { secureTcpTransport, tcpTransport, type Transport } from '@ims/transport';
import type { ServerConfig } from './config.js';
import { HISTORY_DB_FILE, SqliteHistoryStore } from './history/sqlite-history-store.js';
import { renderMetrics, type HistoryCounters, type MetricsSample } from './metrics/metrics.js';
import { startOpsHttpServer, type OpsHttpServer } from './metrics/ops-http-server.js';
import { parseStandbyFor } from './standby/plan-replicas.js';
import { startStandbyReplica, type StandbyReplica } from './standby/standby-replica.js';

/** A running channel server. */
export interface RunningServer {
  /** This server's peer ID. */
  readonly id: string;
  /** Where members connect. */
  readonly endpoint: { readonly address: string; readonly port: number };
  /** Port of the ops HTTP endpoint, when enabled. */
  readonly httpPort: number | undefined;
  /** The host service (stats, snapshot). */
  readonly host: HostService;
  /** The standby replica, when `--standby-for` is set. */
  readonly replica: StandbyReplica | undefined;
  /** The `/metrics` body right now. */
  metrics(): string;
  /** Graceful stop: refuse new connections, close members, flush and close history, stop discovery. */
  stop(): Promise<void>;
}

/**
 * The history store the configuration asks for (SQLite in --data-dir, else memory); also opened by
 * each worker, with a journal of its own (`worker`: its index), which recovers only that journal
 * at open: the primary's first open, before any worker runs, recovers all of them.
 */
export function openStore(config: ServerConfig, logger: Logger, worker?: number): { store: HistoryStore; sqlite: SqliteHistoryStore | undefined } {
  if (config.dataDir === undefined) {
    logger.info('history.memory', { note: 'no --data-dir: history is kept in memory and lost at exit' });
    return { store: memoryHistoryStore({ maxPostsPerChannel: config.historyPerChannel, maxChannels: config.maxChannels }), sqlite: undefined };
  }
  const sqlite = new SqliteHistoryStore({
    dataDir: config.dataDir,
    retainPerChannel: config.historyPerChannel,
    maxChannels: config.maxChannels,
    ...(worker === undefined ? {} : { journalName: `history-w${worker}`, recoverAllJournals: false }),
    // An older data dir is migrated at open, in one transaction (history-layout.ts): a line per slice copied.
    onMigrationProgress: (p) => logger.info('history.migrate', { ...p }),
    onError: (err) => logger.error('history.error', { code: err.code, err, cause: String(err.cause) }),
  });
  logger.info('history.sqlite', {
    dataDir: config.dataDir,
    file: HISTORY_DB_FILE,
    commit: 'journaled per event-loop turn, before the echoes; imported into SQLite in the background',
    prunedChannels: sqlite.prunedChannels,
    recoveredPosts: sqlite.recoveredPosts,
  });
  return { store: sqlite, sqlite };
}

/** The store's counters for /metrics (also sent by each worker to the primary). */
export function historyCounters(sqlite: SqliteHistoryStore): HistoryCounters {
  return { written: sqlite.written, pending: sqlite.pendingCount, failedCommits: sqlite.failedCommits, unimported: sqlite.unimportedCount, failedImports: sqlite.failedImports };
}

/** The host service's limits from the server's configuration (README "Configuration"). */
export function hostLimitsOf(config: ServerConfig): HostLimits {
  return {
    maxFrameBytes: config.maxFrameBytes,
    maxConnections: config.maxConnections,
    maxConnectionsPerIp: config.maxConnectionsPerIp,
    idleTimeoutMs: config.idleTimeout,
    maxSendQueueBytes: config.sendQueueBytes,
    floodRate: config.floodRate,
    floodBurst: config.floodBurst,
    floodMaxDropped: config.floodMaxDropped,
    floodRatePerIp: config.floodRatePerIp,
    floodBurstPerIp: config.floodBurstPerIp,
    connectionRatePerIp: config.connectionRatePerIp,
    connectionBurstPerIp: config.connectionBurstPerIp,
    fanoutRatePerChannel: config.fanoutRatePerChannel,
    fanoutBurstPerChannel: config.fanoutBurstPerChannel,
    closeTimeoutMs: config.closeTimeout,
    historyLimit: config.historyPerChannel,
    maxChannels: config.maxChannels,
    maxMembersPerChannel: config.maxMembersPerChannel,
    maxInviteIds: config.maxInviteIds,
    invitesPerSecond: config.invitesPerSecond,
    hostInvitesPerSecond: config.hostInvitesPerSecond,
    maxAdmittedPerChannel: config.maxAdmittedPerChannel,
    maxPrivateChannels: config.maxPrivateChannels,
    replaceCheckMs: config.replaceCheck,
    channelCreationsPerSecond: config.channelCreationsPerSecond,
    channelCreationBurst: config.channelCreationBurst,
    privateCreationsPerHour: config.privateCreationsPerHour,
    privateCreationBurst: config.privateCreationBurst,
  };
}

/** Discovery on the configured UDP group; the port is closed again if discovery cannot start (also the primary's, workers/primary.ts). */
export async function openDiscovery(config: ServerConfig, logger: Logger): Promise<Discovery> {
  const port = await udpPort({
    interface: config.interface,
    port: config.discoveryPort,
    onError: (err) => logger.warn('discovery.socket_error', { err }),
  });
  try {
    return discover(port, {
      peerId: config.id,
      intervalMs: config.announceInterval,
      ...(config.name !== undefined ? { serverName: config.name } : {}),
      ...(config.secure ? { secure: config.secure } : {}),
      log: (e) => logger.log(e.level, `discovery.${e.event}`, { reason: e.reason, from: e.from, code: e.code, peerId: e.peerId, suppressed: e.suppressed }),
    });
  } catch (err) {
    port.close();
    throw err;
  }
}

/**
 * Tells the invitees of a private channel by TCP at their discovery port (docs/protocol.md §3.8),
 * from the `--interface` address, so the invitation names this box's announced address.
 */
export function privateInviteSender(config: ServerConfig, logger: Logger): DirectInviteSender {
  return createDirectInviteSender({
    peerId: config.id,
    port: config.discoveryPort,
    localAddress: interfaceAddress(config.interface),
    ...(config.secure ? { secure: config.secure } : {}),
    log: (e) => logger.log(e.level, `invite.${e.event}`, { reason: e.reason, to: e.from, peerId: e.peerId }),
  });
}

/** TCP in plain mode; TLS 1.3 with proven peer IDs in secure mode (docs/security.md). */
export function transportOf(config: ServerConfig, logger: Logger): Transport {
  if (config.secure === undefined) return tcpTransport;
  logger.info('secure.on', {
    peerId: config.secure.identity.peerId,
    keyIds: config.secure.keys.map((k) => k.id),
    allowList: config.allowPeersFile ?? null,
    revokedList: config.revokedPeersFile ?? null,
    identityFile: config.identityFile ?? (config.dataDir === undefined ? 'none: a new peer ID at every start' : 'in --data-dir'),
  });
  return secureTcpTransport(config.secure);
}

/** The `/metrics` body, read from the parts at scrape time. */
function metricsOf(host: HostService, discovery: Discovery, sqlite: SqliteHistoryStore | undefined, started: number): () => string {
  return () => {
    const d = discovery.stats();
    return renderMetrics({
      host: host.stats(),
      ...(sqlite ? { history: historyCounters(sqlite) } : {}),
      peers: d.peers,
      discovery: d,
      localHealth: localHealthOf(d),
      uptimeSeconds: (Date.now() - started) / 1000,
      rssBytes: process.memoryUsage.rss(),
    });
  };
}

/** Open every adapter and start serving; on failure, closes what was opened and rethrows. */
export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  const started = Date.now();
  const { store, sqlite } = openStore(config, logger);
  await sqlite?.ready();
  let discovery: Discovery | undefined;
  let host: HostService | undefined;
  let http: OpsHttpServer | undefined;
  let inviter: DirectInviteSender | undefined;
  try {
    const d = (discovery = await openDiscovery(config, logger));
    const listen = { address: config.bind, port: config.port };
    // The replica's sessions must see this box's own host, which discovery never lists (docs/protocol.md §5.8).
    const tap = tapOwnHost(d, { id: config.id, address: config.bind });
    const invites = (inviter = privateInviteSender(config, logger));
    const transport = transportOf(config, logger);
    const h = (host = await startHostService({
      peerId: config.id,
      transport,
      discovery: hostDiscovery(tap.discovery, { privateInvites: invites }),
      listen,
      store,
      logger,
      limits: hostLimitsOf(config),
    }));
    const metrics = metricsOf(h, d, sqlite, started);
    let stopping = false;
    if (config.httpPort !== undefined) {
      const health = () => ({ ok: !stopping, id: config.id, port: h.endpoint.port, channels: h.stats().channels });
      http = await startOpsHttpServer({ port: config.httpPort, metrics, health });
      logger.info('http.listening', { address: '127.0.0.1', port: http.port });
    }
    const ops = http;
    const watch = parseStandbyFor(config.standbyFor);
    const replica =
      watch === undefined
        ? undefined
        : startStandbyReplica({ selfId: config.id, watch, discovery: d, host: h, logger, transport, replanEveryMs: config.announceInterval / 4, own$: tap.own$, lostHostExpiryMs: lostHostExpiryFor(config.announceInterval) });
    let stopped: Promise<void> | undefined;
    const stop = async (): Promise<void> => {
      stopping = true;
      // Leave followed channels first: an EXIT tells their hosts to pick another standby now.
      await replica?.stop();
      await h.stop();
      inviter?.close();
      d.close();
      await store.close();
      await ops?.close();
    };
    return { id: config.id, endpoint: h.endpoint, httpPort: ops?.port, host: h, replica, metrics, stop: () => (stopped ??= stop()) };
  } catch (err) {
    await host?.stop();
    inviter?.close();
    discovery?.close();
    await http?.close();
    await store.close();
    throw err;
  }
}

/** The local-health part of discovery's stats, for /metrics. */
function localHealthOf(s: { readonly lagMs: number; readonly stalledMs: number; readonly healthMultiplier: number }): NonNullable<MetricsSample['localHealth']> {
  return { lagMs: s.lagMs, stalledMs: s.stalledMs, healthMultiplier: s.healthMultiplier };
}
