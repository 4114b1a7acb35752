import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CHANNEL_NAME_BYTES } from '@ims/codec';
import { fakeDiscovery } from '../test/fake-discovery.js';
import { hostWorld, stopAll } from '../test/host-world.js';
import { isError, isStandby } from '../test/memory-client.js';

afterEach(stopAll);

describe('host service: channel names (docs/protocol.md §1.1)', () => {
  it('refuses a JOIN of a 1,500-byte name with ERROR BAD_NAME, keeps the connection, and never announces it', async () => {
    const w = hostWorld();
    const d = fakeDiscovery();
    const svc = await w.start({}, { discovery: d.discovery });
    await w.joined(svc, '#ok', 'alice');
    const eve = await w.client(svc);
    // Our encoder refuses the name, so the frame is written by hand: u32 length, NUL-terminated fields.
    const body = new TextEncoder().encode(`JOIN\0#${'x'.repeat(1_499)}\0eve\0`);
    const frame = new Uint8Array(4 + body.length);
    new DataView(frame.buffer).setUint32(0, body.length);
    frame.set(body, 4);
    eve.sendRaw(frame);
    const refusal = await eve.next(isError('BAD_NAME'));
    expect(refusal).toEqual({ cmd: 'ERROR', reason: `BAD_NAME: JOIN channel name of 1500 bytes, over the ${MAX_CHANNEL_NAME_BYTES}-byte limit` });
    // The connection stays: the same client can join a valid channel on it.
    const longest = `#${'y'.repeat(MAX_CHANNEL_NAME_BYTES - 1)}`;
    eve.send({ cmd: 'JOIN', channel: longest, clientId: 'eve' });
    await eve.next(isStandby);
    expect(d.servers.at(-1)?.channels).toEqual(['#ok', longest]);
    expect(d.servers.every((s) => s?.channels.every((c) => c.length <= MAX_CHANNEL_NAME_BYTES))).toBe(true);
    expect(svc.stats().errors['BAD_NAME']).toBe(1);
  });
});
