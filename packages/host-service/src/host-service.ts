/**
 * The host service: channel-core's host reducer fed by a listener and discovery, its effects
 * executed on connections, discovery and the history store. Shared by channel-server and the
 * peer-client's embedded host. Abuse limits live here, in front of the reducer. It uses only the
 * transport seam, so unit tests run it over `memoryTransport` in virtual time.
 */
import { performance } from 'node:perf_hooks';
import { type ClientCommand, type Decoded, type ServerCommand, encodeFrame, serverSideDecoder } from '@ims/codec';
import { type Host, type HostEffect, type HostInput, type HostSnapshot, type Post, createHost } from '@ims/channel-core';
import { type Subscription, asyncScheduler, map } from 'rxjs';
import { type Logger, createLogger } from '@ims/app-kit';
import { tcpTransport, type CloseInfo, type Connection, type ConnectionSink, type Listener, type Transport } from '@ims/transport';
import { Histogram } from './histogram.js';
import { toHostPeers } from './host-discovery.js';
import { resolveHostLimits, type HostLimits } from './host-limits.js';
import type { HostService, HostServiceOptions, HostStats } from './host-service-types.js';
import { TokenBucket } from './token-bucket.js';

/** One served connection, its flood bucket and its sink, in one object (thousands of idle ones on a server). */
class Entry extends TokenBucket implements ConnectionSink<ClientCommand> {
  /** Frames dropped in a row for flooding. */
  dropped = 0;

  constructor(
    readonly conn: Connection<ClientCommand>,
    private readonly service: Service,
    rate: number,
    burst: number,
    now: number,
  ) {
    super(rate, burst, now);
  }

  frame(d: Decoded<ClientCommand>): void {
    this.service.onFrame(this, d);
  }

  closed(info: CloseInfo): void {
    this.service.onClosed(this, info);
  }
}

/** Starts listening and serving; resolves once the port is bound and stored history is loaded. Rejects with ConfigError (bad limit) or TransportError (cannot listen). */
export async function startHostService(options: HostServiceOptions): Promise<HostService> {
  const limits = resolveHostLimits(options.limits);
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const transport = options.transport ?? tcpTransport;
  const listener = await transport.listen<ClientCommand>({
    address: options.listen?.address ?? '127.0.0.1',
    port: options.listen?.port ?? 0,
    decoder: () => serverSideDecoder({ maxFrameBytes: limits.maxFrameBytes }),
    maxConnections: limits.maxConnections,
    maxConnectionsPerIp: limits.maxConnectionsPerIp,
    idleTimeoutMs: limits.idleTimeoutMs,
    maxSendQueueBytes: limits.maxSendQueueBytes,
    closeTimeoutMs: limits.closeTimeoutMs,
    refusalFrame: (reason) => encodeFrame({ cmd: 'ERROR', reason }),
    logger,
  });
  return new Service(options, limits, logger, transport, listener);
}

class Service implements HostService {
  readonly endpoint: { readonly address: string; readonly port: number };
  private readonly host: Host;
  private readonly now: () => number;
  private readonly conns = new Map<string, Entry>();
  private readonly errors: Record<string, number> = {};
  private readonly latency = new Histogram();
  private readonly subs: Subscription[] = [];
  /** Decode times of SAYs whose fan-out waits for the end-of-turn flush. */
  private fanoutStarts: number[] = [];
  private framesIn = 0;
  private framesOut = 0;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly options: HostServiceOptions,
    private readonly limits: Required<HostLimits>,
    private readonly logger: Logger,
    private readonly transport: Transport,
    private readonly listener: Listener<ClientCommand>,
  ) {
    const scheduler = options.scheduler ?? asyncScheduler;
    this.now = () => scheduler.now();
    this.endpoint = { address: listener.address, port: listener.port };
    this.host = createHost(
      { hostId: options.peerId, historyLimit: limits.historyLimit, maxChannels: limits.maxChannels, maxMembersPerChannel: limits.maxMembersPerChannel },
      this.now,
    );
    // A restarted server serves the same history: stored posts become archives (takeover inputs).
    const stored = options.store?.loadAll(limits.historyLimit) ?? new Map<string, Post[]>();
    for (const [channel, posts] of stored) this.feed({ kind: 'archive', channel, posts });
    this.subs.push(
      listener.refused$.subscribe((r) => this.count(r.reason === 'max-connections-per-ip' ? 'MAX_CONNECTIONS_PER_IP' : 'MAX_CONNECTIONS')),
      listener.connections$.subscribe((conn) => this.serve(conn)),
    );
    const discovery = options.discovery;
    if (discovery) {
      this.subs.push(discovery.peers$.pipe(map(toHostPeers)).subscribe((peers) => this.feed({ kind: 'peers', peers })));
      // Announce SERVER_OPTION at once, so members can pick this peer as standby before it hosts anything.
      this.announce('setServer', () => discovery.setServer({ port: this.endpoint.port, channels: [] }));
    }
    logger.info('host.listening', { address: this.endpoint.address, port: this.endpoint.port, archived: stored.size });
  }

  /** Wires one connection with its Entry as sink: no per-connection closures or rx objects on a server of thousands. */
  private serve(conn: Connection<ClientCommand>): void {
    const entry = new Entry(conn, this, this.limits.floodRate, this.limits.floodBurst, this.now());
    this.conns.set(conn.id, entry);
    if (this.logger.enabled('debug')) this.logger.debug('host.conn_open', { conn: conn.id, remote: `${conn.remoteAddress}:${conn.remotePort}` });
    this.feed({ kind: 'opened', conn: conn.id, remote: { address: conn.remoteAddress, port: conn.remotePort } });
    conn.attach(entry);
  }

  /** @internal the connection of `entry` is gone. */
  onClosed(entry: Entry, info: CloseInfo): void {
    const conn = entry.conn;
    if (info.code !== undefined) this.count(info.code);
    this.conns.delete(conn.id);
    this.logger.debug('host.conn_closed', { conn: conn.id, reason: info.reason, code: info.code });
    this.feed({ kind: 'closed', conn: conn.id });
  }

  /** @internal one decoded frame from the connection of `entry`. */
  onFrame(entry: Entry, d: Decoded<ClientCommand>): void {
    this.framesIn++;
    const conn = entry.conn.id;
    const fatal = !d.ok && d.error.fatal;
    // Bad frames spend tokens too: each one earns an ERROR, and a garbage flood must not turn
    // the host into an amplifier. A fatal error always goes through: it ends the connection.
    if (!fatal && !entry.take(this.now())) {
      this.onFlood(entry);
      return;
    }
    entry.dropped = 0;
    if (!d.ok) {
      this.count(d.error.code);
      this.logger.debug('host.bad_frame', { conn, remote: entry.conn.remoteAddress, code: d.error.code, fatal });
      // The host answers ERROR; on a fatal error the stream cannot be resynchronised, so close after it.
      this.feed({ kind: 'bad-frame', conn, error: d.error });
      if (fatal) entry.conn.close(`protocol error ${d.error.code}`);
      return;
    }
    if (d.value.cmd === 'SAY') this.startFanout();
    this.feed({ kind: 'frame', conn, command: d.value });
  }

  /** Fan-out latency = decode → bytes handed to every member's socket (after the batched flush). */
  private startFanout(): void {
    if (this.fanoutStarts.length === 0) this.transport.afterFlush(this.endFanouts);
    // Bounded: one entry per SAY of this turn, and a turn reads at most a few chunks per socket.
    this.fanoutStarts.push(performance.now());
  }

  /** One bound function for every turn's afterFlush (no closure per turn). */
  private readonly endFanouts = (): void => {
    const now = performance.now();
    for (const t of this.fanoutStarts) this.latency.record(Math.round((now - t) * 1000));
    this.fanoutStarts = [];
  };

  /** Over the rate: drop the frame, say so once per episode, and cut a peer that keeps going. */
  private onFlood(entry: Entry): void {
    this.count('FLOOD');
    entry.dropped++;
    if (entry.dropped === 1) {
      this.logger.warn('host.flood', { conn: entry.conn.id, remote: entry.conn.remoteAddress });
      this.write(entry, encodeFrame({ cmd: 'ERROR', reason: `FLOOD: more than ${this.limits.floodRate} frames/s, frames dropped` }));
    }
    if (entry.dropped >= this.limits.floodMaxDropped) {
      this.write(entry, encodeFrame({ cmd: 'ERROR', reason: 'FLOOD: too many frames dropped, closing' }));
      entry.conn.close('flood');
    }
  }

  private feed(input: HostInput): void {
    for (const effect of this.host.handle(input)) this.execute(effect);
  }

  private execute(e: HostEffect): void {
    switch (e.kind) {
      case 'send': {
        const entry = this.conns.get(e.conn);
        const bytes = entry && this.encode(e.command);
        if (entry && bytes) this.write(entry, bytes);
        return;
      }
      case 'broadcast': {
        // Encode once; every member's connection queues the same bytes and flushes at end of turn.
        const bytes = this.encode(e.command);
        if (!bytes) return;
        for (const id of e.conns) {
          const entry = this.conns.get(id);
          if (entry) this.write(entry, bytes);
        }
        return;
      }
      case 'close':
        this.conns.get(e.conn)?.conn.close(e.reason);
        return;
      case 'channels':
        // After stop() withdrew SERVER_OPTION, channels closing one by one must not re-announce it.
        if (this.stopping !== undefined) return;
        this.announce('setServer', () => this.options.discovery?.setServer({ port: this.endpoint.port, channels: e.public }));
        return;
      case 'invite':
        this.announce('invite', () => this.options.discovery?.invite(e.channel, e.clientIds));
        return;
      case 'persist':
        this.persist(e.channel, e.post);
        return;
      case 'log':
        this.logger.log(e.level, `host.${e.event}`, e.fields);
        return;
    }
  }

  /**
   * Encoders throw on values the wire cannot carry. Every value here passed the decoder's checks,
   * so a throw is a validation gap between codec and core: log it loudly, drop that frame, and
   * keep serving, since network input must never bring the server down.
   */
  private encode(command: ServerCommand): Uint8Array | undefined {
    try {
      return encodeFrame(command);
    } catch (err) {
      this.count('ENCODE_ERROR');
      this.logger.error('host.encode_failed', { cmd: command.cmd, err });
      return undefined;
    }
  }

  /** Discovery refusing an announcement is a bug to log, not a reason to stop serving TCP clients. */
  private announce(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.count('DISCOVERY_ERROR');
      this.logger.error('host.discovery_failed', { what, err });
    }
  }

  private write(entry: Entry, bytes: Uint8Array): void {
    if (entry.conn.write(bytes)) this.framesOut++;
  }

  private persist(channel: string, post: Post): void {
    try {
      this.options.store?.append(channel, post);
    } catch (err) {
      // A failing disk must not stop the chat: log with context and keep serving.
      this.count('STORE_ERROR');
      this.logger.error('host.store_append_failed', { channel, err });
    }
  }

  private count(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  stats(): HostStats {
    const snap = this.host.snapshot();
    let members = 0;
    for (const ch of snap.channels) members += ch.members.length;
    return {
      connections: this.listener.connectionCount,
      channels: snap.channels.length,
      members,
      framesIn: this.framesIn,
      framesOut: this.framesOut,
      errors: { ...this.errors },
      fanoutLatency: this.latency.snapshot(),
    };
  }

  snapshot(): HostSnapshot {
    return this.host.snapshot();
  }

  archive(channel: string, posts: readonly Post[]): void {
    this.feed({ kind: 'archive', channel, posts });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.logger.info('host.stopping', { connections: this.listener.connectionCount });
      this.announce('setServer', () => this.options.discovery?.setServer(undefined));
      // Closing the listener refuses reconnects at once, so members take the fast failover path (docs/protocol.md §5).
      await this.listener.close('server stopping');
      for (const s of this.subs) s.unsubscribe();
      await this.options.store?.flush();
      this.logger.info('host.stopped', {});
    })();
    return this.stopping;
  }
}
