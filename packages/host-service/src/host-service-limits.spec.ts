import { encodeFrame } from '@ims/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeDiscovery } from '../test/fake-discovery.js';
import { hostWorld, stopAll } from '../test/host-world.js';
import { type MemoryClient, isError, isSay, isStandby } from '../test/memory-client.js';

afterEach(stopAll);

const GARBAGE = Uint8Array.of(0, 0, 0, 4, 70, 79, 79, 0); // "FOO\0": unknown command
const errorKinds = (c: MemoryClient) => c.commands().map((x) => (x.cmd === 'ERROR' ? x.reason.split(':')[0] : x.cmd));

describe('host service abuse limits (memory transport, virtual time)', () => {
  it('answers a bad frame with ERROR and keeps the connection', async () => {
    const w = hostWorld();
    const svc = await w.start();
    const c = await w.client(svc);
    c.sendRaw(GARBAGE);
    expect(await c.next(isError('UNKNOWN_COMMAND'))).toBeDefined();
    c.send({ cmd: 'JOIN', channel: '#ok', clientId: 'c' });
    await c.next(isStandby);
    expect(svc.stats().errors['UNKNOWN_COMMAND']).toBe(1);
  });

  it('closes a connection announcing an oversize frame after an ERROR; others are served', async () => {
    const w = hostWorld();
    const svc = await w.start({ maxFrameBytes: 1024 });
    const good = await w.joined(svc, '#x', 'good');
    const bad = await w.client(svc);
    bad.sendRaw(Uint8Array.of(0, 0, 0x10, 0)); // 4096 bytes announced
    expect(await bad.next(isError('FRAME_TOO_LARGE'))).toBeDefined();
    expect(await bad.waitClosed()).toMatchObject({ byPeer: true });
    good.send({ cmd: 'SAY', text: 'fine' });
    await good.next(isSay('fine'));
    expect(svc.stats().errors['FRAME_TOO_LARGE']).toBe(1);
  });

  it('answers each flooded SAY with its own ERROR in order with the echoes, then closes a connection that keeps flooding', async () => {
    const w = hostWorld();
    // The clock stands still, so the budget is exactly the burst.
    const svc = await w.start({ floodRate: 1, floodBurst: 5, floodMaxDropped: 10 });
    const calm = await w.joined(svc, '#f', 'calm');
    const loud = await w.joined(svc, '#f', 'loud');
    loud.send(...Array.from({ length: 30 }, (_, i) => ({ cmd: 'SAY' as const, text: `spam ${i}` })));
    await loud.waitClosed();
    calm.send({ cmd: 'SAY', text: 'calm' });
    await calm.next(isSay('calm'));
    // The JOIN took one token of five: four posts got through, ten were dropped, then the close.
    expect(calm.commands().flatMap((c) => (c.cmd === 'SAY' ? [c.text] : []))).toEqual(['spam 0', 'spam 1', 'spam 2', 'spam 3', 'calm']);
    // One reply per SAY, in order: four echoes, then one FLOOD per dropped post, then the close.
    const replies = loud.commands().filter((c) => c.cmd === 'ERROR' || (c.cmd === 'SAY' && c.authorId === 'loud'));
    expect(replies).toEqual([
      ...[0, 1, 2, 3].map((i) => ({ cmd: 'SAY', authorId: 'loud', text: `spam ${i}` })),
      ...Array.from({ length: 10 }, () => ({ cmd: 'ERROR', reason: 'FLOOD: more than 1 frames/s, frame dropped; send it again later' })),
      { cmd: 'ERROR', reason: 'FLOOD: too many frames dropped, closing' },
    ]);
    expect(svc.stats().errors['FLOOD']).toBe(10);
  });

  it('refills the flood budget on the injected clock, and answers every dropped SAY with FLOOD', async () => {
    const w = hostWorld();
    const svc = await w.start({ floodRate: 1, floodBurst: 2, floodMaxDropped: 100 });
    const c = await w.client(svc);
    c.send({ cmd: 'JOIN', channel: '#v', clientId: 'v' }, { cmd: 'SAY', text: 'a' }, { cmd: 'SAY', text: 'dropped' });
    await c.next(isError('FLOOD'));
    await w.vt.advance(999);
    c.send({ cmd: 'SAY', text: 'too early' });
    await w.vt.advance(1);
    c.send({ cmd: 'SAY', text: 'b' }, { cmd: 'SAY', text: 'c' });
    await c.next(isSay('b'));
    await w.vt.settle();
    expect(c.commands().filter(isSay()).map((x) => x.cmd === 'SAY' && x.text)).toEqual(['a', 'b']);
    // Every dropped SAY ('dropped', 'too early', 'c') got its own FLOOD.
    expect(errorKinds(c).filter((k) => k === 'FLOOD')).toHaveLength(3);
    expect(svc.stats().errors['FLOOD']).toBe(3);
  });

  it('rate-limits garbage too, so bad frames cannot be amplified into ERRORs', async () => {
    const w = hostWorld();
    const svc = await w.start({ floodRate: 1, floodBurst: 5, floodMaxDropped: 10 });
    const c = await w.client(svc);
    c.sendRaw(Uint8Array.from(Array.from({ length: 40 }, () => [...GARBAGE]).flat()));
    await c.waitClosed();
    // Not FLOOD: members read FLOOD as the refusal of their oldest unanswered SAY.
    expect(errorKinds(c)).toEqual([...Array.from({ length: 5 }, () => 'UNKNOWN_COMMAND'), 'FRAMES_DROPPED', 'FLOOD']);
  });

  it('refuses connections over the total cap with an ERROR', async () => {
    const w = hostWorld();
    const svc = await w.start({ maxConnections: 2 });
    await w.joined(svc, '#c', 'one');
    await w.joined(svc, '#c', 'two', { from: '10.0.0.5' });
    const third = await w.client(svc, { from: '10.0.0.6' });
    expect(await third.next(isError('max connections'))).toBeDefined();
    await third.waitClosed();
    expect(svc.stats().errors['MAX_CONNECTIONS']).toBe(1);
    expect(svc.stats().connections).toBe(2);
  });

  it('refuses connections over the per-IP cap with an ERROR, while other addresses are served', async () => {
    const w = hostWorld();
    const svc = await w.start({ maxConnectionsPerIp: 2 });
    await w.joined(svc, '#c', 'one');
    await w.joined(svc, '#c', 'two');
    const third = await w.client(svc);
    expect(await third.next(isError('max connections per ip'))).toBeDefined();
    await third.waitClosed();
    await w.joined(svc, '#c', 'three', { from: '10.0.0.5' });
    expect(svc.stats().errors['MAX_CONNECTIONS_PER_IP']).toBe(1);
    expect(svc.stats().members).toBe(3);
  });

  it('closes a slowloris connection at the idle timeout, however it drips; a quiet member is never timed out', async () => {
    const w = hostWorld();
    const svc = await w.start(); // default idleTimeoutMs: 30 s
    const quiet = await w.joined(svc, '#s', 'q');
    const slow = await w.client(svc);
    const partial = encodeFrame({ cmd: 'JOIN', channel: '#s' });
    slow.sendRaw(partial.subarray(0, 6));
    await w.vt.advance(20_000);
    slow.sendRaw(partial.subarray(6, 8)); // dripping bytes does not restart the clock
    await w.vt.advance(9_999);
    expect(slow.info).toBeUndefined();
    await w.vt.advance(1);
    expect(slow.info).toMatchObject({ byPeer: true });
    expect(svc.stats().errors['IDLE_TIMEOUT']).toBe(1);
    await w.vt.advance(600_000);
    expect(quiet.info).toBeUndefined();
    quiet.send({ cmd: 'SAY', text: 'alive' });
    await quiet.next(isSay('alive'));
  });

  it('drops a member that stops reading while the others keep receiving', async () => {
    const w = hostWorld();
    const svc = await w.start({ maxSendQueueBytes: 256 * 1024, floodRate: 10_000, floodBurst: 10_000 });
    const writer = await w.joined(svc, '#big', 'writer');
    const reader = await w.joined(svc, '#big', 'reader');
    const stalled = await w.client(svc, { read: false });
    stalled.send({ cmd: 'JOIN', channel: '#big', clientId: 'stalled' });
    await w.vt.settle();
    expect(svc.stats().members).toBe(3);
    const text = 'y'.repeat(30_000);
    let sent = 0;
    while (svc.stats().errors['SLOW_READER'] === undefined && sent < 100) {
      writer.send({ cmd: 'SAY', text: `${sent} ${text}` });
      await writer.next(isSay(`${sent} ${text}`));
      sent++;
    }
    // 256 KiB of backlog is nine of these posts.
    expect(sent).toBe(9);
    expect(svc.stats().errors['SLOW_READER']).toBe(1);
    expect(svc.stats().members).toBe(2);
    writer.send({ cmd: 'SAY', text: 'after' });
    await reader.next(isSay('after'));
    expect(reader.commands().filter(isSay())).toHaveLength(sent + 1);
  });

  it('stop closes member connections, withdraws hosting once, and refuses reconnects', async () => {
    const w = hostWorld();
    const d = fakeDiscovery();
    const svc = await w.start({}, { discovery: d.discovery });
    const a = await w.joined(svc, '#bye', 'alice');
    await w.vt.until(svc.stop());
    expect(svc.stats()).toMatchObject({ connections: 0, channels: 0 });
    expect(await a.waitClosed()).toMatchObject({ byPeer: true });
    expect(a.info?.code).toBeUndefined();
    // Hosting is withdrawn, and closing the last member's channel does not re-announce it.
    expect(d.servers.indexOf(undefined)).toBe(d.servers.length - 1);
    await expect(w.client(svc)).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
  });
});
