/**
 * `discover()`: the discovery service of one peer over a DatagramPort. It listens to the group,
 * keeps the peer table and its liveness (docs/protocol.md §3–4), and announces the local peer's state
 * periodically and after every change. All time comes from the injected scheduler.
 */
import {
  BehaviorSubject,
  Subject,
  Subscription,
  auditTime,
  filter,
  map,
  merge,
  mergeMap,
  scan,
  shareReplay,
  startWith,
  tap,
  withLatestFrom,
  type Observable,
} from 'rxjs';
import type { ServerMembership } from '@ims/codec';
import { validateIds, validateNick, validateServer } from './own-validation.js';
import { resolveOptions, resolvePeerId, type DiscoverOptions } from './discover-options.js';
import { announcementTicks } from './announcer.js';
import type { DatagramPort } from './datagram-port.js';
import { EMPTY_LOBBY, lobbyOf, type Lobby } from './lobby.js';
import { EMPTY_OWN_STATE, publicOnly, reduceOwn, type OwnInput, type OwnServer, type OwnState } from './own-state.js';
import type { PeerEvent, PeerInfo } from './peer-events.js';
import { createPeerTable, tick, toPeerInfo } from './peer-table.js';
import { livenessChecks } from './liveness-checks.js';
import { createReceiver } from './receive-datagram.js';
import { createSourceLimiter } from './source-limiter.js';
import { createOffenderLog } from './offender-log.js';
import { createLegacyIds } from './legacy-ids.js';
import { createAnnouncementEncoder } from './encode-announcement.js';
import { createHealthLog, localHealthStats } from './health-log.js';
import { createStats, type DiscoveryLog, type DiscoveryStats, type MutableStats } from './stats.js';

export type { DiscoverOptions } from './discover-options.js';

/** A running discovery service; `close()` stops it and closes the port. */
export interface Discovery {
  /** The local peer ID, as announced. */
  readonly peerId: string;
  /** Lobby snapshots: the current one at subscription, then one after each batch of changes. Completes on close. */
  readonly lobby$: Observable<Lobby>;
  /** Every peer-table change, as it happens. Completes on close. */
  readonly events$: Observable<PeerEvent>;
  /** The current lobby, built now (O(peers)). */
  snapshot(): Lobby;
  /** One peer by ID, as of now. */
  peer(id: string): PeerInfo | undefined;
  /** The peers whose latest datagram came from `address` (e.g. "which client is at this IP"). */
  peersAt(address: string): PeerInfo[];
  /** Announce a nick (makes this peer a client), or none. Throws DiscoveryError('INVALID_OPTION') on an empty or unencodable nick. */
  setNick(nick: string | undefined): void;
  /** Announce public channel memberships per server; private channels are filtered out. Throws on a bad serverId. */
  setMemberships(memberships: readonly ServerMembership[]): void;
  /** Announce hosting (port 49152–65535, public channels) or, with `undefined`, stop hosting. */
  setServer(server: OwnServer | undefined): void;
  /** Announce SERVER_INVITE at once and in the next `inviteRepeats` announcements. Needs setServer; throws on a bad clientId. */
  invite(channel: string, clientIds: readonly string[]): void;
  /** Counters of received, dropped and sent datagrams. */
  stats(): DiscoveryStats;
  /** Stop announcing and listening, close the port, complete the streams. Idempotent. */
  close(): void;
}

/** Counts the private or invalid channels a setter filters out (never announced, docs/protocol.md §3.5). */
function countFiltered(stats: MutableStats, memberships: readonly ServerMembership[] = [], server?: OwnServer): void {
  for (const m of memberships) stats.channelsFiltered += publicOnly(m.channels).filtered;
  if (server !== undefined) stats.channelsFiltered += publicOnly(server.channels).filtered;
}

/** What the setters of the announced state need. */
interface SetterDeps {
  readonly peerId: string;
  /** Bytes a PDU may take (less than the datagram limit in secure mode). */
  readonly maxPduBytes: number;
  readonly inviteSends: number;
  readonly stats: MutableStats;
  readonly log: DiscoveryLog;
  /** Feeds the own-state reducer (a no-op once closed). */
  readonly input: (i: OwnInput) => void;
}

/** The setters of the announced state: each validates (throwing on our own bad value), counts what it filters, then feeds the reducer. */
function ownSetters(d: SetterDeps): Pick<Discovery, 'setNick' | 'setMemberships' | 'setServer' | 'invite'> {
  const { peerId, maxPduBytes, stats, log, input } = d;
  return {
    setNick(nick) {
      validateNick(peerId, nick, maxPduBytes);
      input({ kind: 'nick', nick });
    },
    setMemberships(memberships) {
      validateIds(
        memberships.map((m) => m.serverId),
        'serverId',
      );
      countFiltered(stats, memberships);
      input({ kind: 'memberships', memberships });
    },
    setServer(server) {
      validateServer(server);
      countFiltered(stats, [], server);
      input({ kind: 'server', server });
    },
    invite(channel, clientIds) {
      if (publicOnly([channel]).filtered > 0) {
        stats.channelsFiltered += 1;
        log({ level: 'warn', event: 'inviteDropped', reason: 'private or invalid channel' });
        return;
      }
      validateIds(clientIds, 'clientId');
      input({ kind: 'invite', channel, clientIds, sends: d.inviteSends });
    },
  };
}

/** The local peer's announced state: its first value from the options, then every change. */
function ownState$(options: DiscoverOptions, ownInput: Subject<OwnInput>): Observable<OwnState> {
  const initial: OwnState = [
    { kind: 'nick', nick: options.nick } as const,
    { kind: 'memberships', memberships: options.memberships ?? [] } as const,
    { kind: 'server', server: options.server } as const,
  ].reduce(reduceOwn, { ...EMPTY_OWN_STATE, serverName: options.nick === undefined ? options.serverName : undefined });
  return ownInput.pipe(scan(reduceOwn, initial), startWith(initial), shareReplay({ bufferSize: 1, refCount: true }));
}

/** Start discovery on `port`: listening and announcing begin at once. */
export function discover(port: DatagramPort, options: DiscoverOptions = {}): Discovery {
  const peerId = resolvePeerId(options);
  const table = createPeerTable({ ...options, selfId: peerId });
  const { intervalMs } = table.config;
  const o = resolveOptions(options, intervalMs, peerId);
  const { scheduler, maxDatagramBytes, maxPduBytes } = o;
  const secure = options.secure;
  const stats: MutableStats = createStats();
  countFiltered(stats, options.memberships, options.server);
  const limiter = createSourceLimiter({ maxPerSecond: o.maxPdusPerSecondPerSource, maxSources: table.config.maxPeers });
  const log: DiscoveryLog = options.log ?? (() => undefined);
  const offenders = createOffenderLog(o.offenderLogIntervalMs, table.config.maxPeers);
  const legacyIds = createLegacyIds(table.config.maxPeers);
  const receive = createReceiver({ peerId, table, limiter, maxDatagramBytes, scheduler, stats, log, offenders, legacyIds, secure });
  const health = createHealthLog(table.local, log);

  const events = new Subject<PeerEvent>();
  const lobby = new BehaviorSubject<Lobby>(EMPTY_LOBBY);
  const ownInput = new Subject<OwnInput>();
  const own$ = ownState$(options, ownInput);

  // Secure mode: each piece is split to leave room for its seal (docs/protocol.md §3.4, §9).
  const encodeAnnouncement = createAnnouncementEncoder(peerId, maxPduBytes, stats, log);
  const announce = (state: OwnState): void => {
    const datagrams = encodeAnnouncement(state);
    stats.announcements += 1;
    for (const bytes of datagrams) {
      port.send(secure === undefined ? bytes : secure.sealer.seal(bytes));
      stats.sentDatagrams += 1;
    }
    if (state.invites.length > 0) ownInput.next({ kind: 'announced' });
  };

  const tableEvents$ = merge(
    port.messages$.pipe(mergeMap(receive)),
    livenessChecks(scheduler, o.checkEveryMs, table.local, table.config).pipe(
      tap(() => health.check()),
      mergeMap((now) => tick(table, now)),
    ),
  ).pipe(tap((e) => events.next(e)));
  const lobbyUpdates$ = tableEvents$.pipe(
    // A snapshot costs O(peers): build at most one per lobbyThrottleMs, however many events
    // (a flood of fake peers must not turn into a flood of 10,000-entry copies).
    auditTime(o.lobbyThrottleMs, scheduler),
    map(() => lobbyOf(table)),
  );
  const change$ = ownInput.pipe(filter((i) => i.kind !== 'announced'));
  const announcements$ = announcementTicks(change$, { intervalMs, maxPerSecond: o.maxPerSecond, scheduler }).pipe(
    withLatestFrom(own$),
    tap(([, state]) => announce(state)),
  );

  const running = new Subscription();
  running.add(lobbyUpdates$.subscribe((l) => lobby.next(l)));
  running.add(announcements$.subscribe());
  let closed = false;

  const input = (i: OwnInput): void => {
    if (!closed) ownInput.next(i);
  };

  return {
    peerId,
    lobby$: lobby.asObservable(),
    events$: events.asObservable(),
    snapshot: () => lobbyOf(table),
    peer: (id) => {
      const entry = table.peers.get(id);
      return entry === undefined ? undefined : toPeerInfo(entry);
    },
    peersAt: (address) => [...table.peers.values()].filter((p) => p.address === address).map(toPeerInfo),
    ...ownSetters({ peerId, maxPduBytes, inviteSends: o.inviteSends, stats, log, input }),
    stats: () => ({ ...stats, ...localHealthStats(table.local), ...table.counters, peers: table.peers.size }),
    close() {
      if (closed) return;
      closed = true;
      running.unsubscribe();
      port.close();
      ownInput.complete();
      events.complete();
      lobby.complete();
    },
  };
}
