import { createMember, type Member, type MemberEffect, type MemberInput, type MembershipSnapshot } from '@ims/channel-core';
import { describe, expect, it } from 'vitest';
import { SessionWorld, isKind, standbyOf } from '../test/session-world.js';

/** A frame header (u32 big-endian body length) and body bytes, as the wire carries them. */
const rawFrame = (length: number, body: string): Uint8Array => {
  const b = new TextEncoder().encode(body);
  const out = new Uint8Array(4 + b.byteLength);
  new DataView(out.buffer).setUint32(0, length);
  out.set(b, 4);
  return out;
};

/** A reducer that answers each input kind with the effects the test scripts. */
function scripted(script: Partial<Record<MemberInput['kind'], (input: MemberInput) => MemberEffect[]>>): Member {
  return {
    handle: (input) => script[input.kind]?.(input) ?? [],
    snapshot: () => ({}) as MembershipSnapshot,
    seenPosts: () => [],
    pendingCount: () => 0,
    admitted: () => undefined,
  };
}

describe('member session (memory transport, virtual time)', () => {
  it('dials through the transport, reports connected, and sends JOIN with the clientId', async () => {
    const w = new SessionWorld();
    const h = await w.host('h', '10.0.0.1', standbyOf('h'));
    const s = w.start(h.target, { selfId: 'alice' });
    const end = await h.joined(0);
    expect(end.commands).toEqual([{ cmd: 'JOIN', channel: '#room', clientId: 'alice' }]);
    expect(end.conn.remoteAddress).toBe('10.0.0.9');
    expect(await s.event('joined', (e) => e.event === 'joined')).toMatchObject({ event: 'joined', host: 'h' });
    expect(s.kinds().slice(0, 3)).toEqual(['join', 'connected', 'frame']);
  });

  it("gives history events their SAY's post time and author nick (docs/protocol.md §2.8); live posts go without", async () => {
    const w = new SessionWorld();
    const h = await w.host('h', '10.0.0.1', (end) =>
      end.send(
        { cmd: 'SAY', authorId: 'bob', text: 'old', at: 1_000, nick: 'bobby' },
        { cmd: 'SAY', authorId: 'bob', text: 'old', at: 2_000 },
        { cmd: 'SAY', authorId: 'carl', text: 'plain' },
        { cmd: 'STANDBY', peerId: 'h' },
      ),
    );
    const s = w.start(h.target, { selfId: 'alice' });
    await s.event('joined', (e) => e.event === 'joined');
    (await h.joined(0)).send({ cmd: 'SAY', authorId: 'bob', text: 'new' });
    await s.event('live', (e) => e.event === 'say');
    const posts = s.events.filter((e) => e.event === 'history' || e.event === 'say');
    expect(posts).toEqual([
      expect.objectContaining({ event: 'history', author: 'bob', text: 'old', postedAt: 1_000, authorNick: 'bobby' }),
      expect.objectContaining({ event: 'history', author: 'bob', text: 'old', postedAt: 2_000 }),
      expect.objectContaining({ event: 'history', author: 'carl', text: 'plain' }),
      expect.objectContaining({ event: 'say', author: 'bob', text: 'new' }),
    ]);
    expect(posts[1]).not.toHaveProperty('authorNick');
    expect(posts[2]).not.toHaveProperty('postedAt');
    expect(posts[3]).not.toHaveProperty('postedAt');
  });

  it('reports a refused dial as connect-failed{refused: true}', async () => {
    const w = new SessionWorld();
    const s = w.start({ peerId: 'gone', address: '10.0.0.1', port: 50_000 });
    expect(await s.input('connect-failed', isKind('connect-failed'))).toEqual({ kind: 'connect-failed', refused: true });
    // The real reducer: a first join that fails reports it and, with no other host, loses the channel.
    await s.event('left', (e) => e.event === 'left');
    expect(s.events.map((e) => e.event)).toEqual(['error', 'left']);
    expect(s.logs.find((l) => l['event'] === 'member.connect_failed')).toMatchObject({ code: 'CONNECTION_REFUSED', peer: 'gone' });
  });

  it('reports a blackholed dial as not refused, after connectTimeoutMs', async () => {
    const w = new SessionWorld();
    const h = await w.host('h', '10.0.0.1');
    w.net.blackhole('10.0.0.1', h.target.port);
    const s = w.start(h.target, { connectTimeoutMs: 1_500 });
    expect(await s.input('connect-failed', isKind('connect-failed'))).toEqual({ kind: 'connect-failed', refused: false });
    expect(w.vt.now()).toBe(1_500);
    expect(h.ends).toEqual([]);
  });

  it('reports a connection the host closed as closed (the reducer then reconnects once)', async () => {
    const w = new SessionWorld();
    const h = await w.host('h', '10.0.0.1', standbyOf('h'));
    const s = w.start(h.target);
    await s.event('joined', (e) => e.event === 'joined');
    (await h.joined(0)).conn.close('bye');
    await s.input('closed', isKind('closed'));
    // Fast path: the same endpoint once more, on a new connection.
    await h.joined(1);
    expect(s.kinds().filter((k) => k === 'connected')).toHaveLength(2);
  });

  it('after disconnect reports nothing more about the old connection', async () => {
    const w = new SessionWorld();
    const h = await w.host('h', '10.0.0.1');
    let connects = 0;
    const member = scripted({
      join: () => [{ kind: 'connect', target: h.target }],
      // First connection: drop it at once and dial again; its close must not come back as `closed`.
      connected: () => (++connects === 1 ? [{ kind: 'disconnect' }, { kind: 'connect', target: h.target }] : []),
    });
    const s = w.start(h.target, { member });
    await s.input('second connected', (i) => i.kind === 'connected' && connects === 2);
    await w.wait('the first connection closed', () => h.ends[0]?.info);
    // Well within the JOIN timeout (10 s) of the second connection.
    await w.vt.advance(5_000);
    expect(s.kinds()).toEqual(['join', 'connected', 'connected']);
    // The current connection still reports its close.
    h.ends[1]?.conn.close('bye');
    await s.input('closed', isKind('closed'));
  });

  it('keeps a host that answered STANDBY past joinTimeoutMs', async () => {
    const w = new SessionWorld();
    const h = await w.host('h', '10.0.0.1', standbyOf('h'));
    const s = w.start(h.target, { joinTimeoutMs: 3_000 });
    await s.event('joined', (e) => e.event === 'joined');
    await w.vt.advance(60_000);
    const end = await h.joined(0);
    expect(end.info).toBeUndefined();
    end.send({ cmd: 'SAY', authorId: 'x', text: 'later' });
    expect(await s.event('say', (e) => e.event === 'say')).toMatchObject({ author: 'x', text: 'later', ts: 60_000 });
    expect(s.kinds()).not.toContain('closed');
  });

  it('logs and drops a bad frame from the host; a fatal one (oversize) closes the connection', async () => {
    const w = new SessionWorld();
    const h = await w.host('h', '10.0.0.1', standbyOf('h'));
    const s = w.start(h.target, { maxFrameBytes: 1_024 });
    await s.event('joined', (e) => e.event === 'joined');
    const end = await h.joined(0);
    end.conn.write(rawFrame(6, 'BOGUS\0'));
    end.send({ cmd: 'SAY', authorId: 'x', text: 'after the bad one' });
    await s.event('say', (e) => e.event === 'say');
    expect(s.logs.find((l) => l['event'] === 'member.bad_frame')).toMatchObject({ code: 'UNKNOWN_COMMAND', fatal: false, level: 'warn' });
    expect(end.info).toBeUndefined();
    // A length beyond maxFrameBytes cannot be skipped: the stream is lost, the connection closed.
    end.conn.write(rawFrame(2_000, 'x'));
    await s.input('closed', isKind('closed'));
    expect(s.logs.filter((l) => l['event'] === 'member.bad_frame').at(-1)).toMatchObject({ fatal: true });
    // We chose to close: EXIT first (docs/protocol.md §2.7).
    expect(end.names()).toEqual(['JOIN', 'EXIT']);
    expect(s.inputs.filter((i) => i.kind === 'frame').map((i) => (i.kind === 'frame' ? i.command.cmd : ''))).toEqual(['STANDBY', 'SAY']);
  });

  it('exit() sends EXIT before the close, and resolves once left', async () => {
    const w = new SessionWorld();
    const h = await w.host('h', '10.0.0.1', standbyOf('h'));
    const s = w.start(h.target);
    await s.event('joined', (e) => e.event === 'joined');
    await w.vt.until(s.session.exit());
    expect(s.events.at(-1)).toMatchObject({ event: 'left', reason: 'exit' });
    const end = await h.joined(0);
    await w.wait('the close', () => end.info);
    expect(end.names()).toEqual(['JOIN', 'EXIT']);
    expect(end.info).toMatchObject({ byPeer: true });
    // Nothing after left: later posts go nowhere.
    s.session.post('too late');
    await w.vt.advance(1_000);
    expect(end.names()).toEqual(['JOIN', 'EXIT']);
  });

  it('writes one command per network write (the outbox), in order', async () => {
    const w = new SessionWorld();
    const h = await w.host('h', '10.0.0.1', standbyOf('h'));
    const s = w.start(h.target);
    await s.event('joined', (e) => e.event === 'joined');
    for (const t of ['one', 'two', 'three']) s.session.post(t);
    s.session.invite(['bob']);
    const end = await h.joined(0);
    await w.wait('four more commands', () => (end.commands.length >= 5 ? end : undefined));
    expect(end.commands).toEqual([
      { cmd: 'JOIN', channel: '#room', clientId: 'me' },
      { cmd: 'SAY', text: 'one' },
      { cmd: 'SAY', text: 'two' },
      { cmd: 'SAY', text: 'three' },
      { cmd: 'INVITE', clientIds: ['bob'] },
    ]);
    expect(end.chunks).toHaveLength(5);
  });

  it('counts own posts until echoed, and hands the reducer’s seen tail to archive once per burst', async () => {
    const w = new SessionWorld();
    const h = await w.host('h', '10.0.0.1', (end) =>
      end.send({ cmd: 'SAY', authorId: 'x', text: 'old' }, { cmd: 'SAY', authorId: 'y', text: 'older?' }, { cmd: 'STANDBY', peerId: 'h' }),
    );
    const member = createMember({ selfId: 'me', channel: '#room', seenLimit: 2 });
    const s = w.start(h.target, { member, archive: true });
    s.session.post('mine');
    expect(s.session.pendingCount()).toBe(1);
    await s.event('joined', (e) => e.event === 'joined');
    await w.wait('archive of the history', () => s.archives[0]);
    expect(s.archives).toHaveLength(1);
    expect(s.archives[0]?.map((p) => p.text)).toEqual(['old', 'older?']);
    const end = await h.joined(0);
    await w.wait('the SAY', () => end.commands.find((c) => c.cmd === 'SAY'));
    end.send({ cmd: 'SAY', authorId: 'me', text: 'mine' });
    await s.event('echo', (e) => e.event === 'say');
    expect(s.session.pendingCount()).toBe(0);
    await w.wait('second archive', () => s.archives[1]);
    // The reducer's seenLimit bounds the tail; the posts carry their frame's arrival time.
    expect(s.archives[1]).toEqual(member.seenPosts());
    expect(s.archives[1]?.map((p) => p.text)).toEqual(['older?', 'mine']);
  });

  it('hands a private channel’s admission list to archive when it grew (docs/protocol.md §2.8), not with every burst of posts', async () => {
    const w = new SessionWorld();
    const h = await w.host('h', '10.0.0.1', (end) => end.send({ cmd: 'STANDBY', peerId: 'me' }, { cmd: 'STANDBY', peerId: 'me', admitted: ['alice', 'me'] }));
    const s = w.start(h.target, { channel: '@p', archive: true });
    await w.wait('archive with the list', () => s.admittedArchives.find((a) => a !== undefined));
    expect(s.admittedArchives).toEqual([['alice', 'me']]);
    const end = await h.joined(0);
    end.send({ cmd: 'SAY', authorId: 'alice', text: 'hi' });
    await w.wait('archive of the post', () => s.archives[1]);
    expect(s.admittedArchives).toEqual([['alice', 'me'], undefined]);
    end.send({ cmd: 'STANDBY', peerId: 'me', admitted: ['bob'] });
    await w.wait('archive with the grown list', () => s.admittedArchives[2]);
    expect(s.admittedArchives[2]).toEqual(['alice', 'me', 'bob']);
  });
});
