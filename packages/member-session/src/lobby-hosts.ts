/**
 * Discovery's lobby as the member reducer sees it: the hosting peers with their liveness and
 * channels. Structural, so this package needs no import of `@ims/discovery`; its `Discovery`
 * handle fits `LobbySource` as it is.
 */
import type { LobbyHost } from '@ims/channel-core';
import { distinctUntilChanged, map, shareReplay, type Observable } from 'rxjs';

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
 */
export function lobbyHosts(discovery: LobbySource): Observable<readonly LobbyHost[]> {
  return discovery.lobby$.pipe(
    map((l) => l.servers.map(toLobbyHost)),
    distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
}
