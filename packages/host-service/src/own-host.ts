/**
 * This peer's own host as a lobby entry. Discovery ignores its own PDUs, so a member session never
 * sees the host it embeds; without it, a member whose own host wins a partition heal would stay on
 * the loser (docs/protocol.md §5.8). The tap sits where the host service announces SERVER_OPTION.
 */
import type { LobbyHost } from '@ims/channel-core';
import { BehaviorSubject, type Observable } from 'rxjs';
import type { DiscoveryLike } from './host-discovery.js';

/** A discovery handle whose `setServer` is also published as this peer's lobby entry. */
export interface OwnHostTap {
  /** Pass this to `hostDiscovery` instead of the plain handle. */
  readonly discovery: DiscoveryLike;
  /** This peer's host as the lobby would show it: `undefined` while it announces no SERVER_OPTION. */
  readonly own$: Observable<LobbyHost | undefined>;
}

/**
 * Taps `setServer` of `discovery` so that what this peer announces is also its own lobby entry
 * (`lobbyHosts(discovery, own$)` in @ims/member-session).
 * @param self this peer's ID and the address its host listens on
 */
export function tapOwnHost(discovery: DiscoveryLike, self: { readonly id: string; readonly address: string }): OwnHostTap {
  const own = new BehaviorSubject<LobbyHost | undefined>(undefined);
  return {
    discovery: {
      lobby$: discovery.lobby$,
      invite: (channel, clientIds) => discovery.invite(channel, clientIds),
      peer: (id) => discovery.peer?.(id),
      setServer(server) {
        discovery.setServer(server);
        own.next(server === undefined ? undefined : { id: self.id, address: self.address, port: server.port, state: 'alive', channels: [...server.channels] });
      },
    },
    own$: own.asObservable(),
  };
}
