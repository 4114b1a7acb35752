/**
 * Standby replica mode (`--standby-for`): this box joins the public channels of watched servers as a
 * member able to host, so their hosts pick it as standby (docs/protocol.md §5: a dedicated server is
 * preferred). Each followed channel is one member session (`@ims/member-session`); the posts it sees go to the
 * host service's archive, so a takeover serves the same history.
 */
import { createMember, type LobbyHost } from '@ims/channel-core';
import type { Discovery, Lobby } from '@ims/discovery';
import type { Logger } from '@ims/app-kit';
import type { HostService } from '@ims/host-service';
import { lobbyHosts, startMemberSession, type MemberSession } from '@ims/member-session';
import type { Transport } from '@ims/transport';
import { asyncScheduler, interval, map, merge, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { FollowBackoff, type FollowBackoffOptions } from './follow-backoff.js';
import { planReplicas, shouldLeave, type PlanContext, type StandbyWatch } from './plan-replicas.js';

/** Options of {@link startStandbyReplica}. */
export interface StandbyReplicaOptions {
  /** This box's peer ID: JOIN's clientId, and the standby its hosts will name. */
  readonly selfId: string;
  /** Whose channels to follow. */
  readonly watch: StandbyWatch;
  /** The box's discovery: the lobby to plan from. */
  readonly discovery: Discovery;
  /** The box's own host service: its endpoint is the takeover target, its archive gets the posts seen. */
  readonly host: HostService;
  /** Where `standby.*` events go. */
  readonly logger: Logger;
  /** ms between two re-plans besides lobby changes. @default 500 */
  readonly replanEveryMs?: number;
  /** Scheduler of the re-plan timer, the back-off and the member sessions. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** Back-off of a channel whose follow ended lost (its JOIN refused, its host unreachable). @default FollowBackoff's defaults */
  readonly backoff?: FollowBackoffOptions;
  /** The network the member sessions dial through. @default tcpTransport */
  readonly transport?: Transport;
  /** This box's own host as a lobby entry (`tapOwnHost`), so followed channels follow a heal it wins (docs/protocol.md §5.8). @default none */
  readonly own$?: Observable<LobbyHost | undefined>;
  /** ms a host the sessions failed over from stays lost while discovery still shows it alive (MemberOptions.lostHostExpiryMs). @default channel-core's */
  readonly lostHostExpiryMs?: number;
}

/** A running replica: `stop()` leaves every followed channel. */
export interface StandbyReplica {
  /** Channels followed now, with the server each was joined on. */
  followed(): ReadonlyMap<string, string>;
  /** EXIT every followed channel; resolves when all sessions ended. */
  stop(): Promise<void>;
}

/** One followed channel: its member session, the server it was joined on, its event subscription. */
interface Followed {
  readonly session: MemberSession;
  readonly server: string;
  readonly events: Subscription;
}

/** Start following watched servers' channels as the lobby reveals them. */
export function startStandbyReplica(opts: StandbyReplicaOptions): StandbyReplica {
  const { selfId, discovery, host, logger } = opts;
  const scheduler = opts.scheduler ?? asyncScheduler;
  const sessions = new Map<string, Followed>();
  const backoff = new FollowBackoff(logger, () => scheduler.now(), opts.backoff);
  let stopped = false;
  // One mapping for all followed channels, not one per session.
  const hosts$ = lobbyHosts(discovery, opts.own$);

  const context = (): PlanContext => ({
    selfId,
    watch: opts.watch,
    selfHosted: new Set(host.snapshot().channels.map((c) => c.name)),
  });

  const leave = (channel: string, why: string): void => {
    const f = sessions.get(channel);
    if (!f) return;
    sessions.delete(channel);
    logger.info('standby.leave', { channel, server: f.server, why });
    void f.session.exit().finally(() => f.events.unsubscribe());
  };

  const follow = (channel: string, target: { peerId: string; address: string; port: number }): void => {
    const fields = { channel, server: target.peerId, address: target.address, port: target.port };
    if (backoff.retrying(channel)) logger.debug('standby.retry', fields);
    else logger.info('standby.follow', fields);
    const session = startMemberSession({
      selfId,
      channel,
      target,
      createMember: () => createMember({ selfId, channel, selfEndpoint: host.endpoint, ...(opts.lostHostExpiryMs === undefined ? {} : { lostHostExpiryMs: opts.lostHostExpiryMs }) }),
      hosts$,
      archive: (ch, posts, admitted) => host.archive(ch, posts, admitted),
      logger,
      scheduler,
      ...(opts.transport ? { transport: opts.transport } : {}),
    });
    const events = session.events$.subscribe((e) => {
      if (e.event === 'left') {
        const ours = sessions.get(channel)?.session === session;
        if (ours) sessions.delete(channel);
        // Lost on its own (not left by us): follow it again only after a back-off.
        const retryInMs = ours && e.reason === 'lost' ? backoff.lost(channel) : undefined;
        backoff.log('info', 'standby.left', e.reason, { channel, reason: e.reason, retryInMs });
      } else if (e.event === 'failover') {
        logger.warn('standby.failover', { channel, from: e.from, to: e.host, reason: e.reason });
      } else if (e.event === 'joined') {
        backoff.joined(channel);
        logger.info('standby.joined', { channel, ...e });
      } else if (e.event === 'error') {
        backoff.log('warn', 'standby.error', e.code, { channel, ...e });
      }
    });
    sessions.set(channel, { session, server: target.peerId, events });
  };

  const reconcile = (lobby: Lobby): void => {
    if (stopped) return;
    const ctx = context();
    for (const channel of [...sessions.keys()]) {
      if (shouldLeave(channel, lobby, ctx)) leave(channel, ctx.selfHosted.has(channel) ? 'hosted-here' : 'no-members');
    }
    for (const [channel, target] of planReplicas(lobby, ctx)) if (!sessions.has(channel) && backoff.ready(channel)) follow(channel, target);
  };

  // lobby$ emits on peer-table events, and a client's CLIENT_MEMBERSHIP change is not one (nor is our
  // own takeover), so the plan is also refreshed on a timer from a fresh snapshot.
  const replan$ = interval(opts.replanEveryMs ?? 500, scheduler).pipe(map(() => discovery.snapshot()));
  const sub = merge(discovery.lobby$, replan$).subscribe(reconcile);
  logger.info('standby.start', { watch: opts.watch === 'all' ? 'all' : [...opts.watch] });
  return {
    followed: () => new Map([...sessions].map(([ch, f]) => [ch, f.server])),
    stop: async () => {
      stopped = true;
      sub.unsubscribe();
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map((f) => f.session.exit().finally(() => f.events.unsubscribe())));
    },
  };
}
