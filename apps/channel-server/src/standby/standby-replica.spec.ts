import { encodeFrame, serverSideDecoder, type ClientCommand } from '@ims/codec';
import { createLogger } from '@ims/app-kit';
import { EMPTY_LOBBY, type Discovery, type Lobby } from '@ims/discovery';
import type { HostService } from '@ims/host-service';
import { memoryTransport, virtualTime, type Connection } from '@ims/transport';
import { BehaviorSubject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { startStandbyReplica } from './standby-replica.js';

function lobbyWith(port: number): Lobby {
  const base = { nick: 'alice', server: undefined, channels: [], isDedicatedServer: false, state: 'alive' as const, lastSeen: 0 };
  return {
    ...EMPTY_LOBBY,
    servers: [{ id: 'A', endpoint: { address: '10.0.0.1', port }, channels: ['#x'], isDedicatedServer: true, state: 'alive', lastSeen: 0 }],
    peers: [{ ...base, id: 'alice', address: '10.0.0.2', memberships: [{ serverId: 'A', channels: ['#x'] }] }],
  };
}

/** A replica on a memory network whose one watched host answers each JOIN with `answer(n)` (n from 1). */
async function world(answer: (n: number, conn: Connection<ClientCommand>) => void) {
  const vt = virtualTime();
  const net = memoryTransport({ scheduler: vt.scheduler });
  const listener = await net.at('10.0.0.1').listen<ClientCommand>({ decoder: serverSideDecoder, idleTimeoutMs: 0 });
  let joins = 0;
  listener.connections$.subscribe((conn) =>
    conn.attach({
      frame: (d) => {
        if (d.ok && d.value.cmd === 'JOIN') answer(++joins, conn);
      },
      closed: () => undefined,
    }),
  );
  const lobby = lobbyWith(listener.port);
  const discovery = { lobby$: new BehaviorSubject<Lobby>(lobby).asObservable(), snapshot: () => lobby } as unknown as Discovery;
  const self = { endpoint: { address: '10.0.0.3', port: 1 }, snapshot: () => ({ channels: [] }), archive: () => undefined } as unknown as HostService;
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', stream: { write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }, clock: () => vt.now() });
  const replica = startStandbyReplica({
    selfId: 'box', watch: 'all', discovery, host: self, logger, replanEveryMs: 500, scheduler: vt.scheduler,
    transport: net.at('10.0.0.3'), backoff: { random: () => 1 },
  });
  return { vt, replica, lines, joins: () => joins, events: (name: string) => lines.filter((l) => l['event'] === name) };
}

describe('standby replica: follows that fail back off (virtual time)', () => {
  it('a JOIN refused for good is tried again after 0.5 s, 1 s, 2 s … (cap 30 s), each cause logged once per 10 s', async () => {
    const w = await world((_n, conn) => {
      conn.write(encodeFrame({ cmd: 'ERROR', reason: 'NOT_INVITED: #x is private' }));
      conn.close('not invited');
    });
    await w.vt.advance(60_000);
    // Without back-off, the re-plan every 500 ms retried about 120 times in this minute.
    expect(w.joins()).toBeGreaterThanOrEqual(6);
    expect(w.joins()).toBeLessThanOrEqual(8);
    expect(w.events('standby.error').length).toBeLessThanOrEqual(7);
    expect(w.events('standby.left').length).toBeLessThanOrEqual(7);
    expect(w.events('standby.follow')).toHaveLength(1);
    expect(w.events('standby.left')[0]).toMatchObject({ reason: 'lost', retryInMs: 500, suppressed: 0 });
    await w.vt.until(w.replica.stop());
  });

  it('a host refusing for capacity keeps the same session, which dials it again until it is taken', async () => {
    const w = await world((n, conn) => {
      if (n >= 4) return void conn.write(encodeFrame({ cmd: 'STANDBY', peerId: 'box' }));
      conn.write(encodeFrame({ cmd: 'ERROR', reason: 'MAX_CONNECTIONS_PER_IP: max connections per ip reached, try later' }));
      conn.close('full');
    });
    await w.vt.advance(10_000);
    expect(w.joins()).toBe(4);
    expect(w.events('standby.joined')).toHaveLength(1);
    expect(w.events('standby.left')).toHaveLength(0);
    expect(w.events('standby.error')).toHaveLength(1);
    expect(w.replica.followed()).toEqual(new Map([['#x', 'A']]));
    await w.vt.until(w.replica.stop());
  });
});
