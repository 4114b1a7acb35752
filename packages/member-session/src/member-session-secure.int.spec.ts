/**
 * Secure mode over real loopback TLS (secureTcpTransport): a session reaches a host only when the
 * endpoint proves the peer ID it was named with (host-dial.ts); the logic is unit tested over the
 * memory transport in member-session-identity.spec.ts.
 */
import { type ClientCommand, encodeFrame, serverSideDecoder } from '@ims/codec';
import { createLogger } from '@ims/app-kit';
import { createMember } from '@ims/channel-core';
import { testNetwork, type SecureMode } from '@ims/secure';
import { secureTcpTransport, type Connection, type Listener } from '@ims/transport';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { startMemberSession, type TimedMemberEvent } from './member-session.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A TLS listener proving `mode`'s peer ID that answers every JOIN with STANDBY naming itself. */
async function secureHost(mode: SecureMode) {
  const joins: ClientCommand[] = [];
  const listener: Listener<ClientCommand> = await secureTcpTransport(mode).listen<ClientCommand>({ decoder: () => serverSideDecoder() });
  cleanups.push(() => listener.close());
  listener.connections$.subscribe((conn: Connection<ClientCommand>) =>
    conn.attach({
      frame: (d) => {
        if (!d.ok || d.value.cmd !== 'JOIN') return;
        joins.push(d.value);
        conn.write(encodeFrame({ cmd: 'STANDBY', peerId: mode.identity.peerId }));
      },
      closed: () => undefined,
    }),
  );
  return { listener, joins };
}

function start(self: SecureMode, peerId: string, port: number) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', stream: { write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) } });
  const selfId = self.identity.peerId;
  const session = startMemberSession({
    selfId,
    channel: '#a',
    target: { peerId, address: '127.0.0.1', port },
    createMember: () => createMember({ selfId, channel: '#a' }),
    transport: secureTcpTransport(self),
    logger,
  });
  cleanups.push(() => session.exit());
  const event = (pred: (e: TimedMemberEvent) => boolean): Promise<TimedMemberEvent> => firstValueFrom(session.events$.pipe(filter(pred), timeout(5_000)));
  return { session, lines, event };
}

describe('member session in secure mode (secureTcpTransport over loopback)', () => {
  it('joins the host that proves the named peer ID, as its own proven ID', async () => {
    const [h, me] = testNetwork(2).modes as [SecureMode, SecureMode];
    const host = await secureHost(h);
    const s = start(me, h.identity.peerId, host.listener.port);
    expect(await s.event((e) => e.event === 'joined')).toMatchObject({ host: h.identity.peerId });
    expect(host.joins).toEqual([{ cmd: 'JOIN', channel: '#a', clientId: me.identity.peerId }]);
  });

  it('refuses an endpoint answered by another identity: PEER_MISMATCH logged with both IDs, no JOIN sent', async () => {
    const [h, impostor, me] = testNetwork(3).modes as [SecureMode, SecureMode, SecureMode];
    const host = await secureHost(impostor);
    const s = start(me, h.identity.peerId, host.listener.port);
    await s.event((e) => e.event === 'left');
    expect(s.lines.find((l) => l['event'] === 'member.peer_mismatch')).toMatchObject({ level: 'warn', peer: h.identity.peerId, expected: h.identity.peerId, proven: impostor.identity.peerId });
    expect(host.joins).toEqual([]);
  });
});
