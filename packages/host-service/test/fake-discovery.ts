/** Test helper: a HostDiscovery that records the host's announcements and lets the test set the peer table. */
import { BehaviorSubject } from 'rxjs';
import type { DiscoveredPeer, HostDiscovery } from '../src/host-discovery.js';

/** A fake discovery port: `peers$` is driven by the test, `servers` and `invites` record what the host announced. */
export function fakeDiscovery() {
  const peers$ = new BehaviorSubject<readonly DiscoveredPeer[]>([]);
  const servers: ({ port: number; channels: readonly string[] } | undefined)[] = [];
  const invites: { channel: string; clientIds: readonly string[] }[] = [];
  const discovery: HostDiscovery = {
    peers$,
    setServer: (s) => servers.push(s),
    invite: (channel, clientIds) => invites.push({ channel, clientIds }),
  };
  return { discovery, peers$, servers, invites };
}
