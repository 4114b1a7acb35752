import { discover, memoryNetwork } from '@ims/discovery';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { hostDiscovery, startHostService } from '@ims/host-service';
import { TestClient } from './harness.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('host service with @ims/discovery (in-memory network)', () => {
  it('announces its channels and picks a hosting member as standby', async () => {
    const net = memoryNetwork();
    const hostDisc = discover(net.port(), { peerId: 'host-1', intervalMs: 200 });
    const observer = discover(net.port(), { peerId: 'watcher', nick: 'w', intervalMs: 200 });
    // A member that can host (announces SERVER_OPTION) and is a client.
    const memberDisc = discover(net.port(), { peerId: 'mira', nick: 'mira', server: { port: 50_000, channels: [] }, intervalMs: 200 });
    cleanup.push(() => hostDisc.close(), () => observer.close(), () => memberDisc.close());
    const svc = await startHostService({ peerId: 'host-1', discovery: hostDiscovery(hostDisc) });
    cleanup.push(() => svc.stop());

    const announced = firstValueFrom(
      observer.lobby$.pipe(
        filter((l) => l.servers.some((s) => s.id === 'host-1' && s.endpoint.port === svc.endpoint.port && s.channels.includes('#room'))),
        timeout(5000),
      ),
    );
    // The host must know mira can host before she joins, or the first STANDBY names the host itself.
    await firstValueFrom(hostDisc.lobby$.pipe(filter((l) => l.peers.some((p) => p.id === 'mira')), timeout(5000)));
    const c = await TestClient.join(svc.endpoint.port, '#room', 'mira');
    cleanup.push(() => c.destroy());
    const got = await c.waitFor('STANDBY', (r) => r.some((x) => x.cmd === 'STANDBY'));
    expect(got.find((x) => x.cmd === 'STANDBY')).toEqual({ cmd: 'STANDBY', peerId: 'mira' });
    await announced;
  });
});
