/**
 * A private channel's invitee is told (docs/protocol.md §3.8, §8): a real channel-server delivers
 * the invitation by TCP at the invitee's discovery port, since a private name is never multicast.
 * The test process is the invitee: it announces as bob on the server's discovery group and listens
 * on TCP at that port, as an ims peer-client does.
 */
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerCommand } from '@ims/codec';
import { discover, listenForInvites, probeMulticast, readDirectInvite, udpPort, type Discovery, type InviteListener } from '@ims/discovery';
import { ServerProcess, TestClient, privateDiscoveryPort, scrapeUntil } from './harness.js';

const probe = await probeMulticast({ port: privateDiscoveryPort() });
if (!probe.ok) console.warn(`private-invite.int.spec skipped: ${probe.reason}`);

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/**
 * The invitee's TCP listener on a random discovery port, bound before anything uses the port: in
 * 41000–49000 a port may be some other suite's client port at the moment (the ephemeral range
 * starts at 32768; the process fuzz holds ~10,000 loopback connections), so a taken one is skipped.
 */
async function inviteInbox(): Promise<{ group: number; inbox: InviteListener }> {
  for (let tries = 1; ; tries++) {
    const group = privateDiscoveryPort();
    try {
      return { group, inbox: await listenForInvites({ address: '127.0.0.1', port: group }) };
    } catch (err) {
      if (tries >= 20 || !String((err as Error).message).includes('EADDRINUSE')) throw err;
    }
  }
}

const answered = (r: readonly ServerCommand[]): boolean => r.some((x) => x.cmd === 'STANDBY' || x.cmd === 'ERROR');

describe.skipIf(!probe.ok)('private invitations by TCP (real server)', () => {
  it('tells the invited peer where to JOIN the private channel, and nobody else', async () => {
    const { group, inbox } = await inviteInbox();
    cleanup.push(() => inbox.close());
    const server = await ServerProcess.start(['--port', '0', '--discovery-port', String(group), '--announce-interval', '200ms', '--http-port', '0', '--id', 'srv-1']);
    cleanup.push(() => server.kill());
    const bob: Discovery = discover(await udpPort({ port: group }), { peerId: 'bob', nick: 'bob', intervalMs: 200 });
    cleanup.push(() => bob.close());
    // The server delivers only to peers its discovery knows.
    const listening = await server.waitForLine((l) => l.event === 'listening');
    await scrapeUntil(`http://127.0.0.1:${listening.httpPort as number}/metrics`, /^ims_discovery_peers [1-9]/m);

    const alice = await TestClient.join(server.port, '@team', 'alice');
    cleanup.push(() => alice.destroy());
    await alice.waitFor('STANDBY', answered);
    const delivered = firstValueFrom(inbox.pdus$.pipe(timeout(10_000)));
    alice.send({ cmd: 'INVITE', clientIds: ['bob', 'nobody-heard-of'] });
    const pdu = await delivered;
    const lobby = await firstValueFrom(bob.lobby$.pipe(filter((l) => l.servers.some((s) => s.id === 'srv-1')), timeout(10_000)));
    const read = readDirectInvite(pdu, lobby, { selfId: 'bob', now: 0 });
    expect(read).toEqual({ ok: true, invitations: [{ serverId: 'srv-1', channel: '@team', endpoint: { address: '127.0.0.1', port: server.port }, receivedAt: 0 }] });

    // Bob accepts: the host admits him (he was invited) and serves the channel.
    const joined = await TestClient.join(server.port, '@team', 'bob');
    cleanup.push(() => joined.destroy());
    expect((await joined.waitFor('STANDBY', answered)).some((x) => x.cmd === 'ERROR')).toBe(false);
    // The private name never went out by multicast: no warning about a dropped multicast invite either.
    expect(bob.snapshot().invitations).toEqual([]);
    expect(server.lines.some((l) => l.event === 'discovery.inviteDropped')).toBe(false);
  });
});
