import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { lobbyHosts, toLobbyHost, type LobbySourceServer } from './lobby-hosts.js';

const server = (id: string, port: number, channels: string[], state: LobbySourceServer['state'] = 'alive'): LobbySourceServer => ({
  id,
  endpoint: { address: '10.0.0.9', port },
  state,
  channels,
});

describe('lobbyHosts', () => {
  it('maps a lobby server to the reducer view', () => {
    expect(toLobbyHost(server('q', 50_100, ['#x'], 'disconnected'))).toEqual({ id: 'q', address: '10.0.0.9', port: 50_100, state: 'disconnected', channels: ['#x'] });
  });

  it('emits on changes only, once for every subscriber', () => {
    const lobby$ = new Subject<{ servers: LobbySourceServer[] }>();
    const hosts$ = lobbyHosts({ lobby$ });
    const a: unknown[] = [];
    const b: unknown[] = [];
    const subA = hosts$.subscribe((h) => a.push(h));
    lobby$.next({ servers: [server('s', 50_000, ['#a'])] });
    const subB = hosts$.subscribe((h) => b.push(h));
    lobby$.next({ servers: [server('s', 50_000, ['#a'])] });
    lobby$.next({ servers: [server('s', 50_000, ['#a', '#b'])] });
    expect(a).toHaveLength(2);
    // The late subscriber gets the current view at once, then the same changes.
    expect(b).toEqual(a);
    subA.unsubscribe();
    subB.unsubscribe();
  });

  it('lists this peer’s own embedded host first when given one (docs/protocol.md §5.8)', () => {
    const lobby$ = new Subject<{ servers: LobbySourceServer[] }>();
    const own$ = new Subject<ReturnType<typeof toLobbyHost> | undefined>();
    const seen: unknown[] = [];
    const sub = lobbyHosts({ lobby$ }, own$).subscribe((h) => seen.push(h));
    lobby$.next({ servers: [server('s', 50_000, ['#a'])] });
    own$.next({ id: 'me', address: '127.0.0.1', port: 50_009, state: 'alive', channels: ['#a'] });
    own$.next(undefined);
    expect(seen).toEqual([
      [toLobbyHost(server('s', 50_000, ['#a']))],
      [{ id: 'me', address: '127.0.0.1', port: 50_009, state: 'alive', channels: ['#a'] }, toLobbyHost(server('s', 50_000, ['#a']))],
      [toLobbyHost(server('s', 50_000, ['#a']))],
    ]);
    sub.unsubscribe();
  });
});
