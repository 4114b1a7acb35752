/**
 * The host service: channel-core's host reducer fed by a listener and discovery, its effects
 * executed on connections, discovery and the history store. Shared by channel-server and the
 * peer-client's embedded host. Abuse limits live here, in front of the reducer. It uses only the
 * transport seam, so unit tests run it over `memoryTransport` in virtual time.
 */
import { type ClientCommand, type Decoded, type JoinCommand, encodeFrame, serverSideDecoder } from '@ims/codec';
import { type Host, type HostEffect, type HostInput, type HostSnapshot, type Post, type PulledPost, createHost } from '@ims/channel-core';
import { type Subscription, asyncScheduler, map } from 'rxjs';
import { type Logger, createLogger } from '@ims/app-kit';
import { tcpTransport, type CloseInfo, type Connection, type Listener, type Transport } from '@ims/transport';
import { ChannelAnnouncer } from './channel-announcer.js';
import { FanoutClock } from './fanout-clock.js';
import { FloodGuard } from './flood-guard.js';
import { HoldBack } from './hold-back.js';
import { IDENTITY_MISMATCH, checkJoinIdentity } from './identity-check.js';
import { HostEntry as Entry } from './host-entry.js';
import { toHostPeers } from './host-discovery.js';
import { HistoryPuller } from './history-puller.js';
import { REDUCER_CODES, hostOptionsOf, resolveHostLimits, type HostLimits } from './host-limits.js';
import { HostOutput } from './host-output.js';
import type { HostService, HostServiceOptions, HostStats } from './host-service-types.js';
import { OffenderLog } from './offender-log.js';
import type { BucketLimit } from './token-bucket.js';
import { StoreHealth } from './store-health.js';
import { WakeTimer } from './wake-timer.js';
import { TurnCommit, isEchoOf } from './turn-commit.js';

/** Starts listening and serving; resolves once the port is bound and stored history is loaded. Rejects with ConfigError (bad limit) or TransportError (cannot listen). */
export async function startHostService(options: HostServiceOptions): Promise<HostService> {
  const limits = resolveHostLimits(options.limits);
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const transport = options.transport ?? tcpTransport;
  // One line per offender per interval, shared by the host's and the transport's lines (docs/protocol.md §9).
  const scheduler = options.scheduler ?? asyncScheduler;
  const offenders = new OffenderLog(logger, () => scheduler.now());
  const listener = await transport.listen<ClientCommand>({
    address: options.listen?.address ?? '127.0.0.1',
    port: options.listen?.port ?? 0,
    decoder: () => serverSideDecoder({ maxFrameBytes: limits.maxFrameBytes }),
    maxConnections: limits.maxConnections,
    maxConnectionsPerIp: limits.maxConnectionsPerIp,
    connectionRatePerIp: limits.connectionRatePerIp,
    connectionBurstPerIp: limits.connectionBurstPerIp,
    idleTimeoutMs: limits.idleTimeoutMs,
    maxSendQueueBytes: limits.maxSendQueueBytes,
    closeTimeoutMs: limits.closeTimeoutMs,
    refusalFrame: (reason) => encodeFrame({ cmd: 'ERROR', reason }),
    logger: offenders.keyed(),
  });
  return new Service(options, limits, logger, transport, listener, offenders);
}

class Service implements HostService {
  readonly endpoint: { readonly address: string; readonly port: number };
  private readonly host: Host;
  private readonly now: () => number;
  private readonly conns = new Map<string, Entry>();
  private readonly errors: Record<string, number> = {};
  private readonly subs: Subscription[] = [];
  /** Group commit of each turn's posts before their echoes (undefined without a store: nothing to wait for). */
  private readonly turn: TurnCommit<Entry> | undefined;
  private readonly storeHealth: StoreHealth;
  private readonly fanout: FanoutClock;
  /** Feeds the reducer's `tick` when a deadline it asked for (`wake`) comes. */
  private readonly wake: WakeTimer;
  /** Pulls the copies of our channels that larger peer IDs still hold (docs/protocol.md §5.8); only with discovery. */
  private readonly puller: HistoryPuller | undefined;
  /** Frame budgets per connection and per address, fan-out budgets per channel (flood-guard.ts). */
  private readonly flood: FloodGuard;
  /** Connections paused by a shared budget, resumed by one timer (hold-back.ts). */
  private readonly holdBack: HoldBack;
  /** Writes, broadcasts and closes, behind the turn's held echoes (host-output.ts). */
  private readonly out: HostOutput;
  /** The reducer's channel lists, announced once a turn (channel-announcer.ts). */
  private readonly channelList: ChannelAnnouncer;
  private framesIn = 0;
  /** Every connection's frame budget (one object for all entries). */
  private readonly entryLimit: BucketLimit;
  private stopping: Promise<void> | undefined;
  /** The connection of the input being fed, if any: the offender of the reducer's lines that name none (channel-created). */
  private feeding: string | undefined;

  constructor(
    private readonly options: HostServiceOptions,
    private readonly limits: Required<HostLimits>,
    private readonly logger: Logger,
    transport: Transport,
    private readonly listener: Listener<ClientCommand>,
    private readonly offenders: OffenderLog,
  ) {
    const scheduler = options.scheduler ?? asyncScheduler;
    this.now = () => scheduler.now();
    this.entryLimit = { rate: limits.floodRate, burst: limits.floodBurst };
    this.wake = new WakeTimer(scheduler, () => this.feed({ kind: 'tick' }));
    this.endpoint = { address: listener.address, port: listener.port };
    this.fanout = new FanoutClock(transport);
    this.storeHealth = new StoreHealth(logger);
    this.holdBack = new HoldBack(scheduler);
    this.channelList = new ChannelAnnouncer(transport, (channels) => {
      // After stop() withdrew SERVER_OPTION, a list of its last turn must not announce it again.
      if (this.stopping === undefined) this.announce('setServer', () => this.options.discovery?.setServer({ port: this.endpoint.port, channels: this.puller?.announce(channels) ?? channels }));
    });
    const out = (this.out = new HostOutput(this.conns, (code) => this.count(code), logger));
    const floodActions = {
      count: (code: string) => this.count(code),
      send: (to: Entry, bytes: Uint8Array) => out.send(to, bytes),
      close: (to: Entry, why: string) => out.close(to, why),
    };
    this.flood = new FloodGuard(limits, offenders.keyed(), floodActions, this.holdBack);
    const retract = (channel: string, post: Post): void => this.feed({ kind: 'retract', channel, post });
    const hooks = { deliver: (to: Entry, bytes: Uint8Array, frames?: number) => out.write(to, bytes, frames), retract, health: this.storeHealth, now: this.now };
    this.turn = out.turn = options.store && new TurnCommit<Entry>(options.store, transport, hooks);
    this.host = createHost(hostOptionsOf(options.peerId, limits), this.now);
    // A restarted server serves the same history: stored posts become archives (takeover inputs).
    const stored = options.store?.loadAll(limits.historyLimit) ?? new Map<string, Post[]>();
    for (const [channel, posts] of stored) this.feed({ kind: 'archive', channel, posts });
    // And refuses the same strangers: stored admission lists of private channels (docs/protocol.md §8).
    const lists = options.store?.loadAdmissions?.() ?? new Map<string, string[]>();
    for (const [channel, ids] of lists) this.feed({ kind: 'admitted', channel, ids, stored: true });
    this.subs.push(
      listener.refused$.subscribe((r) => this.count(r.code)),
      listener.connections$.subscribe((conn) => this.serve(conn)),
    );
    const discovery = options.discovery;
    const merge = (channel: string, posts: readonly PulledPost[]): void => this.feed({ kind: 'merge', channel, posts });
    const reannounce = (channels: readonly string[]): void => {
      if (this.stopping === undefined) this.announce('setServer', () => discovery?.setServer({ port: this.endpoint.port, channels }));
    };
    this.puller = discovery && new HistoryPuller({ peerId: options.peerId, transport, scheduler, logger: offenders.keyed(), historyLimit: limits.historyLimit, maxFrameBytes: limits.maxFrameBytes, merge, reannounce });
    if (discovery) {
      this.subs.push(discovery.peers$.subscribe((peers) => this.puller?.setPeers(peers)));
      // History SAYs carry their author's nick (docs/protocol.md §2.8): remember the ones announced.
      this.subs.push(discovery.peers$.subscribe((peers) => out.historyFrames.noteNicks(peers)));
      this.subs.push(discovery.peers$.pipe(map(toHostPeers)).subscribe((peers) => this.feed({ kind: 'peers', peers })));
      // Announce SERVER_OPTION at once, so members can pick this peer as standby before it hosts anything.
      this.announce('setServer', () => discovery.setServer({ port: this.endpoint.port, channels: [] }));
    }
    logger.info('host.listening', { address: this.endpoint.address, port: this.endpoint.port, archived: stored.size, privateChannels: lists.size });
  }

  /** Wires one connection with its Entry as sink: no per-connection closures or rx objects on a server of thousands. */
  private serve(conn: Connection<ClientCommand>): void {
    const now = this.now();
    const entry = new Entry(conn, this, this.flood.acquire(conn.remoteAddress, now), this.entryLimit, now);
    this.conns.set(conn.id, entry);
    if (this.logger.enabled('debug')) this.logger.debug('host.conn_open', { conn: conn.id, remote: `${conn.remoteAddress}:${conn.remotePort}` });
    this.feed({ kind: 'opened', conn: conn.id, remote: entry });
    conn.attach(entry);
  }

  /** @internal the connection of `entry` is gone. */
  onClosed(entry: Entry, info: CloseInfo): void {
    const conn = entry.conn;
    if (info.code !== undefined) this.count(info.code);
    this.conns.delete(conn.id);
    this.flood.release(entry);
    this.logger.debug('host.conn_closed', { conn: conn.id, reason: info.reason, code: info.code });
    this.feed({ kind: 'closed', conn: conn.id });
  }

  /** @internal one decoded frame from the connection of `entry`. */
  onFrame(entry: Entry, d: Decoded<ClientCommand>): void {
    this.framesIn++;
    if (entry.closing) return;
    const conn = entry.conn.id;
    const fatal = !d.ok && d.error.fatal;
    // Bad frames spend tokens too: each one earns an ERROR, and a garbage flood must not turn
    // the host into an amplifier. A fatal error always goes through: it ends the connection.
    if (!fatal && !this.flood.admit(entry, d.ok && d.value.cmd === 'SAY', this.now())) return;
    if (!d.ok) {
      this.count(d.error.code);
      this.logger.debug('host.bad_frame', { conn, remote: entry.conn.remoteAddress, code: d.error.code, fatal });
      // The host answers ERROR; on a fatal error the stream cannot be resynchronised, so close after it.
      this.feed({ kind: 'bad-frame', conn, error: d.error });
      if (fatal) this.out.close(entry, `protocol error ${d.error.code}`);
      return;
    }
    if (d.value.cmd !== 'SAY') {
      const command = d.value.cmd === 'JOIN' ? this.provenJoin(entry, d.value) : d.value;
      if (command === undefined) return;
      const fx = this.run({ kind: 'frame', conn, command });
      if (command.cmd === 'JOIN') this.flood.joined(entry, command.channel, fx, this.now());
      return;
    }
    // While the store fails, a SAY is refused before the reducer (nothing to store, nothing to broadcast).
    if (this.turn && !this.turn.admits()) return this.turn.refuse(entry);
    this.fanout.start();
    this.feed({ kind: 'frame', conn, command: d.value }, entry);
  }

  /** Secure mode (identity-check.ts): the JOIN the reducer gets, its clientId the proven peer ID; undefined once refused (then closed). */
  private provenJoin(entry: Entry, join: JoinCommand): JoinCommand | undefined {
    const v = checkJoinIdentity(join, entry.conn.peerId);
    if (v.ok) return v.join;
    const fields = { conn: entry.conn.id, peer: entry.conn.peerId, claimed: v.claimed, channel: join.channel, code: IDENTITY_MISMATCH, message: v.message };
    this.offenders.log(this.offenderOf(entry.conn.id), 'warn', 'host.refused', fields);
    this.out.refuse(entry, IDENTITY_MISMATCH, v.message);
    return undefined;
  }

  /**
   * Runs the reducer; a post's `persist` and its SAY broadcast (adjacent, either order) are staged
   * together, so the broadcast waits for the turn's commit. `author` is the connection whose SAY this is.
   */
  private feed(input: HostInput, author?: Entry): void {
    this.run(input, author);
  }

  /** {@link feed}, returning the effects (a JOIN's tell the flood guard whether it joined). */
  private run(input: HostInput, author?: Entry): readonly HostEffect[] {
    // Restored at the end: an effect may feed another input (a close) before the rest are executed.
    const outer = this.feeding;
    this.feeding = 'conn' in input ? input.conn : undefined;
    const fx = this.host.handle(input);
    // A SAY's fan-out is charged to its channel's budget, checked before that channel's next SAY.
    if (author) this.flood.charge(author, fx, this.now());
    for (let i = 0; i < fx.length; i++) {
      const e = fx[i] as HostEffect;
      const next = fx[i + 1];
      if (this.turn && e.kind === 'persist') {
        const staged = this.turn.stage(e.channel, e.post, author);
        if (next === undefined || !isEchoOf(next, e.post)) continue;
        this.out.broadcast(next.conns, next.command, staged);
        i++;
      } else if (this.turn && next?.kind === 'persist' && isEchoOf(e, next.post)) {
        this.out.broadcast(e.conns, e.command, this.turn.stage(next.channel, next.post, author));
        i++;
      } else {
        this.execute(e);
      }
    }
    this.feeding = outer;
    return fx;
  }

  private execute(e: HostEffect): void {
    switch (e.kind) {
      case 'send':
        this.out.sendTo(e.conn, e.command);
        return;
      case 'broadcast':
        this.out.broadcast(e.conns, e.command, undefined);
        return;
      case 'replay':
        this.out.replay(e.conn, e.posts);
        return;
      case 'close': {
        const entry = this.conns.get(e.conn);
        if (entry) this.out.close(entry, e.reason);
        return;
      }
      case 'channels':
        // After stop() withdrew SERVER_OPTION, channels closing one by one must not re-announce it.
        if (this.stopping === undefined) this.channelList.set(e.public);
        return;
      case 'invite':
        // A private channel's INVITE is never multicast (docs/protocol.md §8): the port delivers
        // it to each invitee by TCP, or drops it (hostDiscovery's privateInvites). A channel
        // opened this turn is announced first, as it was before the lists were held to the turn's end.
        this.channelList.flush();
        this.announce('invite', () => this.options.discovery?.invite(e.channel, e.clientIds));
        return;
      case 'persist':
        // Only without a store (feed stages persists otherwise): nothing to keep.
        return;
      case 'admit':
        // A private channel's admitted IDs go with the turn's commit (docs/protocol.md §8); no store: memory only.
        this.turn?.admit(e.channel, e.ids);
        return;
      case 'wake':
        this.wake.at(e.at);
        return;
      case 'log':
        // The reducer's refusals and ignored INVITE IDs are counted by code (docs/protocol.md §6.2, §9).
        // (A bad frame's code was counted when it was decoded: not again here.)
        if ((e.event === 'refused' || e.event === 'invite-unknown') && REDUCER_CODES.has(e.fields.code as string)) this.count(e.fields.code as string);
        // A line that will not be written must not make the offender log remember the connection's address (an entry per JOIN's info line).
        if (!this.logger.enabled(e.level)) return;
        this.offenders.log(this.offenderOf(e.fields.conn), e.level, `host.${e.event}`, e.fields);
        return;
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

  /** Who a reducer's log line is about: its connection's address (the connection of the input fed when the line names none). */
  private offenderOf(conn: unknown): string | undefined {
    const id = typeof conn === 'string' ? conn : this.feeding;
    return id === undefined ? undefined : this.offenders.offenderOf(id, this.conns.get(id)?.conn.remoteAddress);
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
      framesOut: this.out.framesOut,
      errors: { ...this.errors },
      fanoutLatency: this.fanout.snapshot(),
      store: this.storeHealth.stats(),
      historyPulls: this.puller?.stats() ?? { pulls: 0, failures: 0, posts: 0 },
    };
  }

  snapshot(): HostSnapshot {
    return this.host.snapshot();
  }

  archive(channel: string, posts: readonly Post[], admitted?: Iterable<string>): void {
    this.feed({ kind: 'archive', channel, posts });
    if (admitted !== undefined) this.feed({ kind: 'admitted', channel, ids: [...admitted] });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.logger.info('host.stopping', { connections: this.listener.connectionCount });
      this.channelList.drop();
      this.announce('setServer', () => this.options.discovery?.setServer(undefined));
      // Closing the listener refuses reconnects at once, so members take the fast failover path (docs/protocol.md §5).
      await this.listener.close('server stopping');
      for (const s of this.subs) s.unsubscribe();
      this.holdBack.stop();
      this.wake.stop();
      this.puller?.stop();
      await this.options.store?.flush();
      this.offenders.flush();
      this.logger.info('host.stopped', {});
    })();
    return this.stopping;
  }
}
