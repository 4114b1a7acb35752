import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { LobbyHost } from '@ims/channel-core';
import { tapOwnHost } from './own-host.js';

describe('tapOwnHost', () => {
  it('publishes what the host announces as its own lobby entry, and passes every call through', () => {
    const calls: unknown[] = [];
    const plain = {
      lobby$: new Subject<{ peers: [] }>(),
      setServer: (s: unknown) => calls.push(['setServer', s]),
      invite: (c: string, ids: readonly string[]) => calls.push(['invite', c, ids]),
    };
    const tap = tapOwnHost(plain, { id: 'me', address: '127.0.0.1' });
    const seen: (LobbyHost | undefined)[] = [];
    tap.own$.subscribe((h) => seen.push(h));
    tap.discovery.setServer({ port: 50_000, channels: ['#a'] });
    tap.discovery.invite('#a', ['x']);
    tap.discovery.setServer(undefined);
    expect(seen).toEqual([undefined, { id: 'me', address: '127.0.0.1', port: 50_000, state: 'alive', channels: ['#a'] }, undefined]);
    expect(calls).toEqual([['setServer', { port: 50_000, channels: ['#a'] }], ['invite', '#a', ['x']], ['setServer', undefined]]);
    expect(tap.discovery.lobby$).toBe(plain.lobby$);
  });
});
