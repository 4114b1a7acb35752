/**
 * Discovery in the modelled LAN of world-harness.ts (not exported from the package): what one peer
 * has heard, aged into the liveness states of docs/protocol.md §4, as the member's lobby and the
 * host's peer table.
 */
import type { PeerInfo } from '../types.js';
import type { LobbyHost, MemberTarget } from './member-types.js';

/** Discovery's interval at the default (docs/protocol.md §4), in ms. */
export const INTERVAL = 2_000;
/** Silence (ms) after which a peer is suspect, disconnected, dropped: I + G, 3·I + G, 4·I + G. */
const LIVENESS = { alive: 3_000, maybe: 7_000, disconnected: 9_000 };

/** The last announcement one peer heard from another: when, and the channels it listed. */
export interface Heard {
  readonly at: number;
  readonly channels: readonly string[];
}

/** The endpoint of a peer's embedded host. */
export function endpoint(id: string): MemberTarget {
  return { peerId: id, address: `10.0.1.${id.charCodeAt(0)}`, port: 40_000 + id.charCodeAt(0) };
}

/** The liveness of a peer last heard `heard`, at time `now`; `undefined` once dropped (or never heard). */
export function heardState(heard: Heard | undefined, now: number): LobbyHost['state'] | undefined {
  if (heard === undefined) return undefined;
  const silent = now - heard.at;
  if (silent > LIVENESS.disconnected) return undefined;
  return silent > LIVENESS.maybe ? 'disconnected' : silent > LIVENESS.alive ? 'maybeDisconnected' : 'alive';
}

/** What observer `o` knows: its member's lobby and its host's peer table. */
export function viewsOf(
  o: { readonly id: string; readonly canHost: boolean; readonly announced: readonly string[]; readonly heard: ReadonlyMap<string, Heard> },
  peers: readonly { readonly id: string; readonly canHost: boolean }[],
  now: number,
): { lobby: LobbyHost[]; table: PeerInfo[] } {
  const lobbyEntry = (id: string, state: LobbyHost['state'], channels: readonly string[]): LobbyHost => {
    const { address, port } = endpoint(id);
    return { id, address, port, state, channels };
  };
  // The runtime lists our own embedded host too (discovery never hears our own PDUs), so the
  // member sees a channel it announces (docs/protocol.md §5.8).
  const lobby = o.canHost ? [lobbyEntry(o.id, 'alive', o.announced)] : [];
  const table: PeerInfo[] = [];
  for (const p of peers) {
    const heard = o.heard.get(p.id);
    const state = p.id === o.id ? undefined : heardState(heard, now);
    if (state === undefined || heard === undefined) continue;
    if (p.canHost) lobby.push(lobbyEntry(p.id, state, heard.channels));
    table.push({ id: p.id, address: endpoint(p.id).address, canHost: p.canHost, dedicated: false, hostedChannels: heard.channels.length, channels: heard.channels, isClient: true, alive: state !== 'disconnected', suspected: state === 'maybeDisconnected' });
  }
  return { lobby, table };
}
