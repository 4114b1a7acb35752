/**
 * Discovery's lobby as the member reducer sees it: the hosting peers with their liveness and
 * channels. Structural, so this package needs no import of `@ims/discovery`; its `Discovery`
 * handle fits `LobbySource` as it is.
 */
import type { LobbyHost } from '@ims/channel-core';
import { combineLatest, distinctUntilChanged, map, of, shareReplay, startWith, type Observable } from 'rxjs';

/** One server of a discovery lobby (a structural subset of `@ims/discovery`'s `LobbyServer`). */
export interface LobbySourceServer {
  readonly id: string;
  readonly endpoint: { readonly address: string; readonly port: number };
  readonly state: LobbyHost['state'];
  readonly channels: readonly string[];
}

/** What {@link lobbyHosts} reads: discovery's lobby snapshots. */
export interface LobbySource {
  readonly lobby$: Observable<{ readonly servers: readonly LobbySourceServer[] }>;
}

/** One lobby server → the member reducer's `LobbyHost`. */
export function toLobbyHost(s: LobbySourceServer): LobbyHost {
  return { id: s.id, address: s.endpoint.address, port: s.endpoint.port, state: s.state, channels: s.channels };
}

/**
 * The hosting peers on every lobby change that affects them (equal snapshots are dropped), shared
 * by every session that subscribes: one mapping per lobby change, however many channels follow it.
 * `own$` is this peer's embedded host (`undefined` while it hosts nothing), which discovery never
 * lists: with it, a member follows a partition heal that its own host wins (docs/protocol.md §5.8).
 * @param own$ @default none (this peer's own host is not listed)
 */
export function lobbyHosts(discovery: LobbySource, own$?: Observable<LobbyHost | undefined>): Observable<readonly LobbyHost[]> {
  const servers$ = discovery.lobby$.pipe(map((l) => l.servers.map(toLobbyHost)));
  return combineLatest([servers$, own$?.pipe(startWith(undefined)) ?? of(undefined)]).pipe(
    map(([servers, own]) => (own === undefined ? servers : [own, ...servers.filter((s) => s.id !== own.id)])),
    distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
}
