import { createServer } from 'node:net';
import { firstValueFrom, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { secureMode, testNetwork, type SecureMode } from '@ims/secure';
import { createDirectInviteSender } from './direct-invite-sender.js';
import { readDirectInvite } from './direct-invites.js';
import { listenForInvites } from './invite-listener.js';
import { EMPTY_LOBBY, type Lobby } from './lobby.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** Waits until `done()` (polled every 10 ms); fails after 5 s. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('createDirectInviteSender (private invitations by TCP, docs/protocol.md §3.8)', () => {
  it("delivers a private channel's invitation that the invitee's listener reads as one for it, with the host's port", async () => {
    const inbox = await listenForInvites({ port: 0 });
    cleanup.push(() => inbox.close());
    const sender = createDirectInviteSender({ peerId: 'host-1', port: inbox.port, localAddress: '127.0.0.1' });
    cleanup.push(() => sender.close());
    const arrived = firstValueFrom(inbox.pdus$.pipe(timeout(5_000)));
    sender.send({ channel: '@team', serverPort: 50_123, invitees: [{ id: 'bob', address: '127.0.0.1' }] });
    const d = await arrived;
    const r = readDirectInvite(d, EMPTY_LOBBY, { selfId: 'bob', now: 1 });
    expect(r).toEqual({ ok: true, invitations: [{ serverId: 'host-1', channel: '@team', endpoint: { address: '127.0.0.1', port: 50_123 }, receivedAt: 1 }] });
    // Named for bob only: another peer reading it finds nothing for itself.
    expect(readDirectInvite(d, EMPTY_LOBBY, { selfId: 'carol', now: 1 })).toMatchObject({ ok: false, reason: 'not-for-us' });
    expect(sender.stats()).toEqual({ sent: 1, dropped: 0, failed: 0 });
  });

  it('counts a delivery nobody listens for as failed, and drops what is over the budget', async () => {
    // A port that refuses: bound, then closed again.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const logged: string[] = [];
    const sender = createDirectInviteSender({ peerId: 'host-1', port, perSecond: 2, now: () => 0, log: (e) => logged.push(e.event) });
    cleanup.push(() => sender.close());
    const invitees = ['a', 'b', 'c', 'd'].map((id) => ({ id, address: '127.0.0.1' }));
    sender.send({ channel: '@team', serverPort: 50_000, invitees });
    expect(sender.stats()).toMatchObject({ sent: 2, dropped: 2 });
    await until(() => sender.stats().failed === 2, 'both deliveries to fail');
    expect(logged.filter((e) => e === 'directInviteDropped')).toHaveLength(2);
    expect(logged.filter((e) => e === 'directInviteFailed')).toHaveLength(2);
  });

  it('in secure mode seals the invitation end to end: the invitee opens it, a plain sender is refused', async () => {
    const { key, modes } = testNetwork(2);
    const [host, invitee] = modes as [SecureMode, SecureMode];
    // The inbox opens with an instance of its own (the option's advice), same identity and keys.
    const opener = secureMode({ identity: invitee.identity, keys: [key] });
    const hostId = host.identity.peerId;
    const lobby: Lobby = { ...EMPTY_LOBBY, servers: [{ id: hostId, endpoint: { address: '127.0.0.1', port: 50_123 }, channels: [], isDedicatedServer: true, state: 'alive', lastSeen: 0 }] };
    const inbox = await listenForInvites({ port: 0 });
    cleanup.push(() => inbox.close());
    const sealed = createDirectInviteSender({ peerId: hostId, secure: host, port: inbox.port, localAddress: '127.0.0.1' });
    const plain = createDirectInviteSender({ peerId: hostId, port: inbox.port, localAddress: '127.0.0.1' });
    cleanup.push(() => sealed.close(), () => plain.close());
    const invitation = { channel: '@team', serverPort: 50_123, invitees: [{ id: invitee.identity.peerId, address: '127.0.0.1' }] };

    const first = firstValueFrom(inbox.pdus$.pipe(timeout(5_000)));
    sealed.send(invitation);
    const d = await first;
    expect(Buffer.from(d.data).includes(Buffer.from('@team'))).toBe(false);
    const r = readDirectInvite(d, lobby, { selfId: invitee.identity.peerId, now: 1, secure: opener });
    expect(r).toEqual({ ok: true, invitations: [{ serverId: hostId, channel: '@team', endpoint: { address: '127.0.0.1', port: 50_123 }, receivedAt: 1 }] });

    const second = firstValueFrom(inbox.pdus$.pipe(timeout(5_000)));
    plain.send(invitation);
    expect(readDirectInvite(await second, lobby, { selfId: invitee.identity.peerId, now: 2, secure: opener })).toEqual({ ok: false, reason: 'unauthenticated', detail: 'not-sealed' });
    expect(() => createDirectInviteSender({ peerId: 'host-1', secure: host })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});
