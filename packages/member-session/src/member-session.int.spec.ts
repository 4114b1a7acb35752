import { createServer, type Server, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder, type ClientCommand } from '@ims/codec';
import type { Member, MemberEffect, MemberInput, MembershipSnapshot, Post } from '@ims/channel-core';
import { firstValueFrom, filter, toArray, timeout, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { startMemberSession } from './member-session.js';

/** A scripted reducer: records inputs, answers with the effects the test queued for each input kind. */
function scriptedMember(script: Partial<Record<MemberInput['kind'], (input: MemberInput) => MemberEffect[]>>) {
  const inputs: MemberInput[] = [];
  const waiters: (() => void)[] = [];
  const member: Member = {
    handle(input) {
      inputs.push(input);
      for (const w of waiters.slice()) w();
      return script[input.kind]?.(input) ?? [];
    },
    snapshot: () => ({}) as MembershipSnapshot,
    seenPosts: () => [],
    pendingCount: () => 0,
  };
  const seen: Partial<Record<string, number>> = {};
  /** Resolves with the next not yet awaited input of this kind (already recorded ones count). */
  const next = (kind: MemberInput['kind']): Promise<MemberInput> => {
    const nth = (seen[kind] = (seen[kind] ?? 0) + 1);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = inputs.filter((i) => i.kind === kind)[nth - 1];
        if (found) {
          waiters.splice(waiters.indexOf(check), 1);
          resolve(found);
        }
      };
      waiters.push(check);
      check();
      setTimeout(() => reject(new Error(`no ${kind} #${nth} within 3 s`)), 3_000).unref();
    });
  };
  return { member, inputs, next };
}

/** A TCP server on 127.0.0.1 that decodes client frames. */
async function fakeHost() {
  const sockets: Socket[] = [];
  const frames: ClientCommand[] = [];
  let onFrame: (() => void) | undefined;
  const server: Server = createServer((s) => {
    sockets.push(s);
    const dec = new FrameDecoder<ClientCommand>({ direction: 'toServer' });
    s.on('data', (chunk) => {
      for (const r of dec.push(chunk)) if (r.ok) frames.push(r.value);
      onFrame?.();
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const waitFrames = (n: number): Promise<ClientCommand[]> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (frames.length >= n) resolve(frames.slice());
      };
      onFrame = check;
      check();
      setTimeout(() => reject(new Error(`only ${frames.length} frames`)), 3_000).unref();
    });
  return { server, sockets, frames, port, waitFrames };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('member session (executor of the member reducer)', () => {
  it('dials, reports connected, writes sends, feeds frames in, and publishes events with ts', async () => {
    const host = await fakeHost();
    cleanups.push(() => host.server.close());
    const target = { peerId: 'h', address: '127.0.0.1', port: host.port };
    const { member, next } = scriptedMember({
      join: () => [{ kind: 'connect', target }],
      connected: () => [{ kind: 'send', command: { cmd: 'JOIN', channel: '#a', clientId: 'me' } }],
      frame: (i) =>
        i.kind === 'frame' && i.command.cmd === 'SAY'
          ? [{ kind: 'event', event: { event: 'say', author: i.command.authorId, text: i.command.text } }]
          : [],
      exit: () => [{ kind: 'send', command: { cmd: 'EXIT' } }, { kind: 'disconnect' }, { kind: 'event', event: { event: 'left', reason: 'exit' } }],
    });
    const archived: Post[][] = [];
    const session = startMemberSession({
      selfId: 'me',
      channel: '#a',
      target,
      createMember: () => member,
      archive: (_c, posts) => archived.push([...posts]),
    });
    const all = firstValueFrom(session.events$.pipe(toArray(), timeout(5_000)));
    await next('connected');
    expect(await host.waitFrames(1)).toEqual([{ cmd: 'JOIN', channel: '#a', clientId: 'me' }]);
    host.sockets[0]?.write(Buffer.concat([encodeFrame({ cmd: 'SAY', authorId: 'x', text: 'one' }), encodeFrame({ cmd: 'SAY', authorId: 'y', text: 'two' })]));
    await next('frame');
    await next('frame');
    await session.exit();
    expect(await host.waitFrames(2)).toEqual([{ cmd: 'JOIN', channel: '#a', clientId: 'me' }, { cmd: 'EXIT' }]);
    const events = await all;
    expect(events.map((e) => e.event)).toEqual(['say', 'say', 'left']);
    expect(events.every((e) => typeof e.ts === 'number' && e.ts > 0)).toBe(true);
    // One archive call per burst, with the whole tail (the host replaces its archive each time).
    expect(archived.at(-1)?.map((p) => p.text)).toEqual(['one', 'two']);
  });

  it('reports a refused dial as connect-failed{refused:true} and a closed connection as closed', async () => {
    const host = await fakeHost();
    cleanups.push(() => host.server.close());
    const dead = await fakeHost();
    const deadPort = dead.port;
    await new Promise((r) => dead.server.close(r));
    const { member, next, inputs } = scriptedMember({
      join: () => [{ kind: 'connect', target: { peerId: 'h', address: '127.0.0.1', port: host.port } }],
      closed: () => [{ kind: 'connect', target: { peerId: 'd', address: '127.0.0.1', port: deadPort } }],
      'connect-failed': () => [{ kind: 'event', event: { event: 'left', reason: 'lost' } }],
    });
    const session = startMemberSession({ selfId: 'me', channel: '#a', target: { peerId: 'h', address: '127.0.0.1', port: host.port }, createMember: () => member });
    const left = firstValueFrom(session.events$.pipe(filter((e) => e.event === 'left'), timeout(5_000)));
    await next('connected');
    host.sockets[0]?.destroy();
    await next('closed');
    expect(await next('connect-failed')).toEqual({ kind: 'connect-failed', refused: true });
    expect(await left).toMatchObject({ event: 'left', reason: 'lost' });
    expect(inputs.map((i) => i.kind)).toEqual(['join', 'connected', 'closed', 'connect-failed']);
  });

  it('after disconnect reports nothing more about the old connection', async () => {
    const host = await fakeHost();
    cleanups.push(() => host.server.close());
    const target = { peerId: 'h', address: '127.0.0.1', port: host.port };
    let connects = 0;
    const { member, next, inputs } = scriptedMember({
      join: () => [{ kind: 'connect', target }],
      // First connection: drop it at once and dial again; the drop must not come back as `closed`.
      connected: () => (++connects === 1 ? [{ kind: 'disconnect' }, { kind: 'connect', target }] : []),
    });
    startMemberSession({ selfId: 'me', channel: '#a', target, createMember: () => member });
    await next('connected');
    await next('connected');
    host.sockets[1]?.destroy();
    await next('closed');
    expect(inputs.map((i) => i.kind)).toEqual(['join', 'connected', 'connected', 'closed']);
  });

  it('drops a host that never answers the JOIN with STANDBY (joinTimeoutMs), so the reducer moves on', async () => {
    const host = await fakeHost();
    cleanups.push(() => host.server.close());
    const target = { peerId: 'h', address: '127.0.0.1', port: host.port };
    const { member, next } = scriptedMember({
      join: () => [{ kind: 'connect', target }],
      connected: () => [{ kind: 'send', command: { cmd: 'JOIN', channel: '#a', clientId: 'me' } }],
    });
    // Virtual time: the join timer fires when the test flushes the scheduler, not after a sleep.
    const scheduler = new VirtualTimeScheduler();
    startMemberSession({ selfId: 'me', channel: '#a', target, createMember: () => member, joinTimeoutMs: 50, scheduler });
    await next('connected');
    await host.waitFrames(1);
    scheduler.flush();
    expect(await next('closed')).toEqual({ kind: 'closed' });
  });

  it('keeps a host that answered with STANDBY past joinTimeoutMs', async () => {
    const host = await fakeHost();
    cleanups.push(() => host.server.close());
    const target = { peerId: 'h', address: '127.0.0.1', port: host.port };
    const { member, next, inputs } = scriptedMember({ join: () => [{ kind: 'connect', target }] });
    const scheduler = new VirtualTimeScheduler();
    startMemberSession({ selfId: 'me', channel: '#a', target, createMember: () => member, joinTimeoutMs: 50, scheduler });
    await next('connected');
    host.sockets[0]?.write(encodeFrame({ cmd: 'STANDBY', peerId: 'h' }));
    await next('frame');
    // Past the join timeout (virtual), the connection still carries frames.
    scheduler.flush();
    host.sockets[0]?.write(encodeFrame({ cmd: 'SAY', authorId: 'x', text: 'later' }));
    expect(await next('frame')).toEqual({ kind: 'frame', command: { cmd: 'SAY', authorId: 'x', text: 'later' }, at: scheduler.now() });
    expect(inputs.some((i) => i.kind === 'closed')).toBe(false);
  });
});
