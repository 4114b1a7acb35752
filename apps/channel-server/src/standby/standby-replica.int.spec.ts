import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BehaviorSubject } from 'rxjs';
import { serverSideDecoder, type ClientCommand } from '@ims/codec';
import { EMPTY_LOBBY, type Discovery, type Lobby } from '@ims/discovery';
import { createLogger } from '@ims/app-kit';
import type { HostService } from '@ims/host-service';
import { startStandbyReplica, type StandbyReplica } from './standby-replica.js';

/** A fake host on loopback that resolves with the first command a connection sends. */
function fakeHost(): Promise<{ server: Server; port: number; first: Promise<ClientCommand>; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  let resolveFirst: (c: ClientCommand) => void = () => undefined;
  const first = new Promise<ClientCommand>((r) => (resolveFirst = r));
  const server = createServer((s) => {
    sockets.push(s);
    const dec = serverSideDecoder();
    s.on('data', (chunk: Buffer) => {
      for (const d of dec.push(chunk)) if (d.ok) resolveFirst(d.value);
    });
    s.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : 0, first, sockets });
    }),
  );
}

/** `p`, or a rejection naming `what` after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const fail = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  return Promise.race([p, fail]).finally(() => clearTimeout(timer));
}

function lobbyWith(port: number): Lobby {
  return {
    ...EMPTY_LOBBY,
    servers: [{ id: 'A', endpoint: { address: '127.0.0.1', port }, channels: ['#x'], isDedicatedServer: true, state: 'alive', lastSeen: 0 }],
    peers: [
      {
        id: 'alice',
        address: '127.0.0.1',
        nick: 'alice',
        memberships: [{ serverId: 'A', channels: ['#x'] }],
        server: undefined,
        channels: [],
        isDedicatedServer: false,
        state: 'alive',
        lastSeen: 0,
      },
    ],
  };
}

describe('startStandbyReplica', () => {
  let replica: StandbyReplica | undefined;
  let host: Awaited<ReturnType<typeof fakeHost>> | undefined;
  afterEach(async () => {
    await replica?.stop();
    for (const s of host?.sockets ?? []) s.destroy();
    host?.server.close();
  });

  it('follows a channel whose membership shows up without a lobby event, and leaves it on stop', async () => {
    host = await fakeHost();
    // lobby$ never emits the membership (discovery emits on peer-table events only); snapshot() has it.
    let current: Lobby = EMPTY_LOBBY;
    const discovery = { lobby$: new BehaviorSubject<Lobby>(EMPTY_LOBBY).asObservable(), snapshot: () => current } as unknown as Discovery;
    const self = { endpoint: { address: '127.0.0.1', port: 1 }, snapshot: () => ({ channels: [] }), archive: () => undefined } as unknown as HostService;
    const logger = createLogger({ level: 'silent' });
    replica = startStandbyReplica({ selfId: 'box', watch: 'all', discovery, host: self, logger, replanEveryMs: 10 });
    current = lobbyWith(host.port);
    expect(await within(host.first, 10_000, 'the JOIN of the followed channel')).toEqual({ cmd: 'JOIN', channel: '#x', clientId: 'box' });
    expect(replica.followed()).toEqual(new Map([['#x', 'A']]));
    await replica.stop();
    expect(replica.followed().size).toBe(0);
  });
});
