// Secure mode over real loopback TLS (secureTcpTransport): the proven peer ID of a connection is
// the only clientId its JOIN may name (identity-check.ts), and a history pull reaches only the peer
// discovery named and JOINs as its own ID (history-puller.ts). Logic in the *.spec.ts files.
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientCommand, type Decoded, type ServerCommand, clientSideDecoder, encodeFrame } from '@ims/codec';
import { createLogger } from '@ims/app-kit';
import { testNetwork, type SecureMode } from '@ims/secure';
import { secureTcpTransport, type CloseInfo, type Connection } from '@ims/transport';
import { fakeDiscovery } from '../test/fake-discovery.js';
import type { HostService } from './host-service-types.js';
import { startHostService } from './host-service.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A framed client over TLS with the frames it got; waits resolve on arrival and fail after 5 s. */
class TlsClient {
  readonly got: ServerCommand[] = [];
  closed: CloseInfo | undefined;
  private wake: () => void = () => undefined;

  constructor(readonly conn: Connection<ServerCommand>) {
    conn.attach({ frame: (d: Decoded<ServerCommand>) => (d.ok && this.got.push(d.value), this.wake()), closed: (i) => ((this.closed = i), this.wake()) });
  }

  send(cmd: ClientCommand): void {
    this.conn.write(encodeFrame(cmd));
  }

  until<T>(what: string, ready: () => T | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within 5 s; got ${JSON.stringify(this.got)}`)), 5_000);
      const check = (): void => {
        const v = ready();
        if (v === undefined) return;
        clearTimeout(timer);
        this.wake = () => undefined;
        resolve(v);
      };
      this.wake = check;
      check();
    });
  }
}

/** A log whose lines can be waited for (resolves on the line, fails after 5 s). */
function lineLog() {
  const lines: Record<string, unknown>[] = [];
  let wake = (): void => undefined;
  const logger = createLogger({ level: 'info', stream: { write: (l) => (lines.push(JSON.parse(l) as Record<string, unknown>), wake()) } });
  const line = (event: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} line within 5 s`)), 5_000);
      const check = (): void => {
        const found = lines.find((l) => l['event'] === event);
        if (found === undefined) return;
        clearTimeout(timer);
        wake = () => undefined;
        resolve(found);
      };
      wake = check;
      check();
    });
  return { logger, line };
}

async function host(mode: SecureMode, extra: { discovery?: ReturnType<typeof fakeDiscovery>['discovery']; logger?: ReturnType<typeof createLogger> } = {}): Promise<HostService> {
  const svc = await startHostService({ peerId: mode.identity.peerId, transport: secureTcpTransport(mode), ...extra });
  cleanup.push(() => svc.stop());
  return svc;
}

async function client(mode: SecureMode, svc: HostService): Promise<TlsClient> {
  const conn = await secureTcpTransport(mode).dial<ServerCommand>({ host: '127.0.0.1', port: svc.endpoint.port, decoder: () => clientSideDecoder() });
  cleanup.push(() => conn.destroy('test over'));
  return new TlsClient(conn);
}

describe('host service in secure mode (secureTcpTransport over loopback)', () => {
  it('refuses a JOIN naming another peer ID with IDENTITY_MISMATCH and closes; a JOIN without clientId takes the proven one', async () => {
    const [h, a, b] = testNetwork(3).modes as [SecureMode, SecureMode, SecureMode];
    const svc = await host(h);
    const alice = await client(a, svc);
    expect(alice.conn.peerId).toBe(h.identity.peerId);
    alice.send({ cmd: 'JOIN', channel: '#room' });
    await alice.until('STANDBY', () => alice.got.find((c) => c.cmd === 'STANDBY'));
    const bob = await client(b, svc);
    bob.send({ cmd: 'JOIN', channel: '#room', clientId: a.identity.peerId });
    await bob.until('the close', () => bob.closed);
    expect(bob.got).toEqual([{ cmd: 'ERROR', reason: `IDENTITY_MISMATCH: JOIN clientId ${a.identity.peerId} is not this connection's proven peer ID ${b.identity.peerId}` }]);
    alice.send({ cmd: 'SAY', text: 'mine' });
    expect(await alice.until('the echo', () => alice.got.find((c) => c.cmd === 'SAY'))).toEqual({ cmd: 'SAY', authorId: a.identity.peerId, text: 'mine' });
    expect(svc.snapshot().channels[0]?.members.map((m) => m.id)).toEqual([a.identity.peerId]);
    expect(svc.stats().errors['IDENTITY_MISMATCH']).toBe(1);
  });

  it('the history puller JOINs the loser as its own peer ID and merges; an endpoint of another identity is not pulled', async () => {
    const modes = testNetwork(3).modes.sort((x, y) => (x.identity.peerId < y.identity.peerId ? -1 : 1));
    const [wm, lm, om] = modes as [SecureMode, SecureMode, SecureMode];
    const d = fakeDiscovery();
    const log = lineLog();
    const winner = await host(wm, { discovery: d.discovery, logger: log.logger });
    const loser = await host(lm);
    const other = await host(om);
    const onLoser = await client(lm, loser);
    onLoser.send({ cmd: 'JOIN', channel: '#room' });
    onLoser.send({ cmd: 'SAY', text: 'from the loser' });
    await onLoser.until('the echo', () => onLoser.got.find((c) => c.cmd === 'SAY'));
    const onOther = await client(om, other);
    onOther.send({ cmd: 'JOIN', channel: '#room' });
    onOther.send({ cmd: 'SAY', text: 'from another identity' });
    await onOther.until('the echo', () => onOther.got.find((c) => c.cmd === 'SAY'));
    const onWinner = await client(wm, winner);
    onWinner.send({ cmd: 'JOIN', channel: '#room' });
    await onWinner.until('STANDBY', () => onWinner.got.find((c) => c.cmd === 'STANDBY'));

    // Discovery names the loser's ID twice: at its own endpoint, and (forged) at the other's.
    const peer = (id: string, svc: HostService) => ({ id, address: '127.0.0.1', nick: undefined, server: svc.endpoint, channels: ['#room'], isDedicatedServer: true, state: 'alive' as const });
    d.peers$.next([peer(lm.identity.peerId, other)]);
    expect(await log.line('host.history_pull_failed')).toMatchObject({ peer: lm.identity.peerId, code: 'PEER_MISMATCH' });
    d.peers$.next([peer(lm.identity.peerId, loser)]);
    const merged = await onWinner.until('the merged post', () => onWinner.got.find((c) => c.cmd === 'SAY'));
    expect(merged).toEqual({ cmd: 'SAY', authorId: lm.identity.peerId, text: 'from the loser' });
    expect(winner.stats().historyPulls).toMatchObject({ pulls: 1, failures: 1 });
    expect(loser.stats().errors['IDENTITY_MISMATCH']).toBeUndefined();
    expect(other.stats().errors['IDENTITY_MISMATCH']).toBeUndefined();
    expect(onWinner.got.some((c) => c.cmd === 'SAY' && c.text === 'from another identity')).toBe(false);
  });
});
