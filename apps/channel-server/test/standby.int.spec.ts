import { afterEach, describe, expect, it } from 'vitest';
import type { ServerCommand } from '@ims/codec';
import { discover, probeMulticast, udpPort, type Discovery } from '@ims/discovery';
import { ServerProcess, TestClient, privateDiscoveryPort } from './harness.js';

// Multicast on loopback is needed for two servers to see each other; probe once and say why if not.
const probe = await probeMulticast({ port: privateDiscoveryPort() });
if (!probe.ok) console.warn(`standby.int.spec skipped: ${probe.reason}`);

const servers: ServerProcess[] = [];
const clients: TestClient[] = [];
const discoveries: Discovery[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const d of discoveries.splice(0)) d.close();
  await Promise.all(servers.splice(0).map((s) => s.kill()));
});

const standbyIs = (id: string) => (r: readonly ServerCommand[]) => r.some((c) => c.cmd === 'STANDBY' && c.peerId === id);

describe.skipIf(!probe.ok)('channel-server --standby-for', () => {
  it('follows another server’s channel, becomes its standby, and serves its history after the host dies', async () => {
    const group = String(privateDiscoveryPort());
    const common = ['--port', '0', '--discovery-port', group, '--announce-interval', '200ms'];
    const a = await ServerProcess.start([...common, '--id', 'srv-A']);
    servers.push(a);
    const b = await ServerProcess.start([...common, '--id', 'srv-B', '--standby-for', 'all']);
    servers.push(b);

    // Alice is on the LAN first, then joins and announces the membership (docs/protocol.md §2 client duties):
    // the membership arrives as a change of a known peer, not as a new one.
    const udp = await udpPort({ port: Number(group) });
    const aliceDiscovery = discover(udp, { peerId: 'alice', nick: 'alice', intervalMs: 200 });
    discoveries.push(aliceDiscovery);
    await b.waitForLine((l) => l.event === 'listening');
    const alice = await TestClient.join(a.port, '#x', 'alice');
    clients.push(alice);
    alice.send({ cmd: 'SAY', text: 'before 1' });
    alice.send({ cmd: 'SAY', text: 'before 2' });
    await alice.waitFor('echoes', (r) => r.some((c) => c.cmd === 'SAY' && c.text === 'before 2'));
    aliceDiscovery.setMemberships([{ serverId: 'srv-A', channels: ['#x'] }]);

    // srv-B joins #x as a member; srv-A prefers it as standby (a dedicated server) and says so.
    await b.waitForLine((l) => l.event === 'standby.follow' && l.channel === '#x' && l.server === 'srv-A');
    await alice.waitFor('STANDBY srv-B', standbyIs('srv-B'));

    a.child.kill('SIGKILL');
    await alice.closed;
    const again = await TestClient.join(b.port, '#x', 'alice');
    clients.push(again);
    const got = await again.waitFor('history then STANDBY', (r) => r.some((c) => c.cmd === 'STANDBY'));
    const history = got.slice(0, got.findIndex((c) => c.cmd === 'STANDBY'));
    // History SAYs also carry their accept time (docs/protocol.md §2.8).
    expect(history).toMatchObject([
      { cmd: 'SAY', authorId: 'alice', text: 'before 1' },
      { cmd: 'SAY', authorId: 'alice', text: 'before 2' },
    ]);
    // Hosting #x itself now, srv-B stops following it as a member.
    await b.waitForLine((l) => l.event === 'standby.leave' && l.channel === '#x' && l.why === 'hosted-here');
    b.child.kill('SIGTERM');
    await again.closed;
    expect((await b.exited).code).toBe(0);
  });
});
